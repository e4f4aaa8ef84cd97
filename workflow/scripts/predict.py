"""Rule predict: probabilities of the best model for the records of a FASTA file (TSV)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.model.training.runtime import start_inference

    start_inference(sm.params.get("backend"), sm.threads)  # train.backend, before Keras is imported
    from danqmotifs.model.predict import predict_fasta

    cfg = sm.params.evaluate
    n = predict_fasta(sm.input.model, sm.input.fasta, sm.output[0], cfg["batch_size"],
                      cfg["average_reverse_complement"], cfg["predict_resize"], sm.input.targets)
    print(f"{sm.input.fasta}: {n} sequences -> {sm.output[0]}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
