"""Rule evaluate: per-target ROC AUC and PR AUC of the best model on a held-out split."""

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import progress, script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.model.training.runtime import start_inference

    start_inference(sm.params.get("backend"), sm.threads)  # train.backend, before Keras is imported
    from danqmotifs.model.evaluate import evaluate_split, summary, write_auc_table
    from danqmotifs.formats.reference import read_reference
    from danqmotifs.report.plot.training import plot_auc
    from danqmotifs.sources.datafile import DataReader

    cfg = sm.params.evaluate
    rows = evaluate_split(sm.input.model, sm.input.data, cfg["batch_size"], cfg["average_reverse_complement"],
                          tmp_dir=Path(sm.output.table).parent, log=progress)
    write_auc_table(rows, sm.output.table)
    s = summary(rows)
    progress(f"{cfg['split']} split, {s['n_targets']} targets: mean ROC AUC {s['mean_roc_auc']:.4f} "
          f"(median {s['median_roc_auc']:.4f}), mean PR AUC {s['mean_pr_auc']:.4f}; "
          f"NA: {s['n_na_roc']} ROC, {s['n_na_pr']} PR")
    reference = None
    if "reference" in sm.input.keys():
        with DataReader(sm.input.data) as r:
            names = r.target_names
        ref = read_reference(sm.input.reference, names)
        reference = ref.as_dict(names)
        print(f"reference {sm.input.reference} (column {ref.columns[0]}): {ref.n_matched} of {len(names)} "
              f"targets matched by {ref.matched_by}, {len(reference)} with a ROC AUC")
    rc = ", reverse-complement averaged" if cfg["average_reverse_complement"] else ""
    plot_auc(rows, sm.output.figure, reference,
             title=f"{cfg['split']} split{rc}\nmean ROC AUC {s['mean_roc_auc']:.3f}, "
                   f"mean PR AUC {s['mean_pr_auc']:.3f} ({s['n_targets']} targets)")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
