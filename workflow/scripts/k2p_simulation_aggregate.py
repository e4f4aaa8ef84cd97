"""Rule k2p_simulation: gather the chunks -> motifs.tsv, wilcoxon.json and the two figures."""

from danqmotifs.errors import run_guarded
from danqmotifs.papers.k2p.simulation.run import aggregate
from danqmotifs.logsetup import script_logging
from danqmotifs.papers.k2p.simulation.plot import differences_figure, scatter_figure

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    table, summary = aggregate(sm.input.rows, sm.output.table, sm.output.wilcoxon)
    scatter_figure(table, sm.output.scatter, summary)
    differences_figure(table, sm.output.differences)
    for metric in ("auroc", "auprc"):
        s = summary[metric]
        print(f"{metric}: n={s['n']} p={s['p_value']} mean difference {s['mean_difference']:+.5f} "
              f"wins/ties/losses {s['wins']}/{s['ties']}/{s['losses']}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
