"""Rule fidelity: the k2p fidelity test (the model, and its kernels replaced by the exact PWMs and
by the heuristic PFMs, evaluated side by side) -> fidelity.tsv, fidelity.json, fidelity.png."""

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import progress, script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.model.modelio import load_model
    from danqmotifs.model.training.runtime import configure_runtime
    from danqmotifs.papers.k2p.fidelity import (
        fidelity_test,
        write_fidelity_json,
        write_fidelity_table,
    )
    from danqmotifs.papers.k2p.fidelity_plot import plot_fidelity

    p = sm.params
    configure_runtime(0, sm.threads)
    rows, summ = fidelity_test(load_model(sm.input.model), sm.input.kernels, sm.input.base, sm.input.exact,
                               sm.input.heuristic, sm.input.data, p.batch_size, p.average_rc,
                               n_windows=p.n_windows, seed=p.seed, tmp_dir=Path(sm.output.table).parent,
                               log=progress, where=sm.input.model)
    summ["split"] = p.split
    write_fidelity_table(rows, sm.output.table)
    write_fidelity_json(summ, sm.output.json)
    plot_fidelity(rows, sm.output.figure, summ, title=f"k2p fidelity test, {p.split} split")
    print(f"exact substitute: max |prediction difference| {summ['max_abs_diff_exact']:.3g}; heuristic: "
          f"mean ROC AUC drop {summ['mean_roc_auc_drop_heuristic']}, mean PR AUC drop "
          f"{summ['mean_pr_auc_drop_heuristic']}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
