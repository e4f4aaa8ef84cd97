"""Rule jaspar_db: the JASPAR target database as a MEME file, offline from pyjaspar."""

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.formats.meme import write_meme
from danqmotifs.run.workflow_checks import check_in_job
from danqmotifs.sources.jaspar import fetch_collection, write_family_table

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    check_in_job(sm.config)  # the config checks, in this job too (no input gate: workflow_checks)
    p = sm.params.match
    motifs = fetch_collection(p["jaspar_release"], p["collection"], p["tax_group"] or None)
    write_meme(sm.output.db, motifs)
    write_family_table(sm.output.families, motifs)
    print(f"{p['jaspar_release']} {p['collection']} {p['tax_group'] or 'all taxa'}: "
          f"{len(motifs)} matrices (latest versions) -> {sm.output.db}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
