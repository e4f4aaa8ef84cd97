"""Rule jaspar_init_motifs: the JASPAR matrices that initialise DanQ-JASPAR's kernels (MEME)."""

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.formats.meme import write_meme
from danqmotifs.run.workflow_checks import check_in_job
from danqmotifs.sources.jaspar import jaspar_init_motifs

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    check_in_job(sm.config)  # the config checks, in this job too (no input gate: workflow_checks)
    p = sm.params.model
    motifs = jaspar_init_motifs(p["jaspar_release"], p["jaspar_collection"], p["jaspar_tax_group"] or None,
                                p["jaspar_reverse_complements"])
    write_meme(sm.output[0], motifs)
    print(f"{p['jaspar_release']} {p['jaspar_collection']} {p['jaspar_tax_group'] or 'all taxa'}: "
          f"{len(motifs)} initial kernels ({len(p['jaspar_reverse_complements'])} reverse complements)")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
