"""Rule what_the_model_learned: the report's first page and motif table (danqmotifs.report.findings)
-> what_the_model_learned.html, .tsv and the console summary .txt."""

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import progress, script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.motifs import methods
    from danqmotifs.report.findings import build

    methods.load_plugins(sm.params.plugins)
    routes = list(sm.params.routes)
    labels = {r: methods.METHODS[r].label for r in routes if r in methods.METHODS}
    optional = {k: sm.input.get(k) for k in ("influence", "faithfulness", "reproducibility", "targets", "truth")}
    lines = build(sm.input.best, sm.input.families, sm.input.db, dict(zip(routes, sm.input.queries)),
                  sm.params.config, sm.output.page, sm.output.table, sm.output.summary,
                  route_labels=labels, log=progress, threads=sm.threads, **optional)
    for line in lines:
        progress(line)


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
