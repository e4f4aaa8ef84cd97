"""Rule motif_table: kernels ranked by influence with their JASPAR match, the targets they drive,
their faithfulness and their logo -> motif_table.tsv, motif_table.html."""

from danqmotifs.errors import run_guarded
from danqmotifs.logsetup import script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.influence import read_influence_table
    from danqmotifs.motif_table import best_match_by_query, kernel_rows, write_motif_html, write_motif_table
    from danqmotifs.tsv import read_tsv

    rows = kernel_rows(read_influence_table(sm.input.influence), read_tsv(sm.input.faithfulness),
                       best_match_by_query(read_tsv(sm.input.best), sm.params.method), sm.input.logos)
    write_motif_table(rows, sm.output.table)
    write_motif_html(rows, sm.output.html, "Motif table: kernels by influence",
                     f"JASPAR matches of the {sm.params.method} motifs; targets: the three each kernel moves "
                     "most, + where it raises the prediction, - where it lowers it.")
    print(f"motif table: {len(rows)} kernels; first: {rows[0]['motif']} {rows[0]['match_name']}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
