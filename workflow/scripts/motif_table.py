"""Rule motif_table: kernels (or, with training replicates, clusters of kernels) ranked by
reproducibility and influence, with their JASPAR match, the targets they drive, their faithfulness
and a logo -> motif_table.tsv, motif_table.html."""

from danqmotifs.errors import run_guarded
from danqmotifs.logsetup import script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.formats.influence_table import read_influence_table
    from danqmotifs.motif_table import (best_match_by_query, cluster_table_rows, kernel_rows, write_motif_html,
                                        write_motif_table)
    from danqmotifs.formats.tsv import read_tsv

    rows = kernel_rows(read_influence_table(sm.input.influence), read_tsv(sm.input.faithfulness),
                       best_match_by_query(read_tsv(sm.input.best), sm.params.method), sm.input.logos)
    title = "Motif table: kernels by influence"
    notes = (f"JASPAR matches of the {sm.params.method} motifs; targets: the three each kernel moves most, "
             "+ where it raises the prediction, - where it lowers it.")
    if "reproducibility" in sm.input.keys():
        rows = cluster_table_rows(read_tsv(sm.input.reproducibility), rows)
        title = "Motif table: clusters of kernels across training replicates"
        notes = ("Clusters by the number of replicates they occur in, then by mean influence; JASPAR match of "
                 "each cluster's representative; targets and logo of its kernel in replicate 0 (r0), if any.")
    write_motif_table(rows, sm.output.table)
    write_motif_html(rows, sm.output.html, title, notes)
    print(f"motif table: {len(rows)} rows; first: {rows[0]['motif']} {rows[0]['match_name']}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
