"""Rule k2p_simulation: gather the chunks -> motifs.tsv, wilcoxon.json and the three figures."""

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.papers.k2p.simulation.plot import differences_figure, heldout_figure, scatter_figure
from danqmotifs.papers.k2p.simulation.run import aggregate

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    cfg = sm.params.cfg
    table, summary = aggregate(sm.input.rows, sm.output.table, sm.output.wilcoxon, protocol=cfg["protocol"],
                               bootstrap=cfg["bootstrap"])
    scatter_figure(table, sm.output.scatter, summary)
    differences_figure(table, sm.output.differences, cfg["protocol"])
    heldout_figure(table, sm.output.heldout, summary)
    p = summary["paper"]
    for metric in ("auroc", "auprc"):
        s = p[metric]
        print(f"paper {metric}: n={s['n']} p={s['p_value']} mean difference {s['mean_difference']:+.5f} "
              f"wins/ties/losses {s['wins']}/{s['ties']}/{s['losses']}")
    for kind, by in summary["heldout"].items():
        for score, a in by.items():
            for metric in ("auroc", "auprc"):
                s = a[metric]
                print(f"heldout {kind} {score} {metric}: n={s['n']} p={s['p_value']} "
                      f"mean difference {s['mean_difference']:+.5f} W/T/L {s['wins']}/{s['ties']}/{s['losses']}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
