"""Rule load_data: the configured data source (registry: danqmotifs.sources) -> the three splits."""

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.run.workflow_checks import check_in_job
from danqmotifs.sources import SOURCES

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    check_in_job(sm.config)  # the config checks, in this job too (no input gate: workflow_checks)
    SOURCES[sm.params.source].run(sm.params.block, dict(sm.input.items()), dict(sm.output.items()),
                                  sm.params.seed, sm.resources.get("tmpdir"))


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
