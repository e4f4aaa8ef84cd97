"""Rule motif_table: kernels (or, with training replicates, clusters of kernels) ranked by
reproducibility and influence, with their JASPAR match, the targets they drive, their faithfulness
and the path of their logo -> motif_table.tsv (the report's page with logos: rule what_the_model_learned)."""

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.formats.influence_table import read_influence_table
    from danqmotifs.formats.tsv import read_tsv
    from danqmotifs.report.motif_table import best_match_by_query, cluster_table_rows, kernel_rows, write_motif_table

    rows = kernel_rows(read_influence_table(sm.input.influence), read_tsv(sm.input.faithfulness),
                       best_match_by_query(read_tsv(sm.input.best), sm.params.method), sm.input.logos)
    if "reproducibility" in sm.input.keys():
        rows = cluster_table_rows(read_tsv(sm.input.reproducibility), rows)
    write_motif_table(rows, sm.output.table)
    print(f"motif table: {len(rows)} rows; first: {rows[0]['motif']} {rows[0]['match_name']}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
