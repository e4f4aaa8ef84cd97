"""Rule attribution: hypothetical attributions (in-silico mutagenesis or gradient x input) of the
chosen targets' logits on a seeded sample of the split's positives -> attributions.h5 and a summary."""

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from danqmotifs.core.errors import atomic_output, run_guarded
from danqmotifs.core.logsetup import progress, script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.model.training.runtime import start_inference

    start_inference(sm.params.backend, sm.threads)  # train.backend, before Keras is imported
    from danqmotifs.attribution.attribute import attribute_split, choose_targets
    from danqmotifs.model.evaluate import read_auc_table
    from danqmotifs.model.modelio import load_model
    from danqmotifs.sources.datafile import DataReader

    p = sm.params.attribution
    with DataReader(sm.input.data) as r:
        names = r.target_names
    targets = choose_targets(names, p["targets"], p["n_targets"], read_auc_table(sm.input.auc))
    how = ("attribution.targets" if p["targets"] else
           f"the {len(targets)} best by ROC AUC on the evaluation split (attribution.n_targets {p['n_targets']})")
    progress(f"attribution ({p['kind']}) of {', '.join(targets)} ({how}) on up to {p['n_sequences']} "
             f"{sm.params.split} positives")
    summ = attribute_split(load_model(sm.input.model), sm.input.data, sm.output.h5, targets, p["kind"],
                           p["n_sequences"], sm.params.seed, sm.params.average_rc, p["batch_size"],
                           log=progress)
    summ["split"] = sm.params.split
    summ["chosen_by"] = how
    with atomic_output(sm.output.json) as tmp:
        Path(tmp).write_text(json.dumps(summ, indent=1) + "\n")
    progress(f"attribution: {summ['n_sequences']} sequences x {len(targets)} target(s), "
             f"{summ['model_calls_rows']:,} sequences predicted")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
