"""Rule logos: one PNG per kernel, every method's motif side by side, each above its best JASPAR
match aligned by Tomtom's offset and orientation."""

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import progress, script_logging
from danqmotifs.formats.meme import read_meme
from danqmotifs.match import read_table
from danqmotifs.motifs import methods
from danqmotifs.report.logos import kernel_panels
from danqmotifs.report.plot.logos import render_logos

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    import pandas as pd

    methods.load_plugins(sm.params.plugins)
    names = sm.params.methods
    queries = {m: read_meme(f)[0] for m, f in zip(names, sm.input.queries)}
    targets = {t.id: t for t in read_meme(sm.input.db)[0]}
    best_df = read_table(sm.input.best)
    best = {m: {r["query"]: r for r in best_df[best_df["method"] == m].to_dict("records")} for m in names}
    notes = {}
    for m, f in zip(names, sm.input.dead):
        dead = pd.read_csv(f, sep="\t", dtype={"id": str})
        if len(dead):
            notes[m] = {i: methods.get(m).dead_note for i in dead["id"]}
    panels = kernel_panels(queries, best, targets, notes)
    progress(f"drawing {len(panels)} kernel logos ({sm.threads} process(es))")
    paths = render_logos(sm.output.logos, panels, sm.params.q_threshold, threads=sm.threads, log=progress)
    progress(f"{len(paths)} kernel logos -> {sm.output.logos}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
