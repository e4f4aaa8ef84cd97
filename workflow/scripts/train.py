"""Rule train: train DanQ on the train split (resuming a killed run), keep the best model."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import progress, script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.model.training.runtime import select_backend

    select_backend(sm.params.train.get("backend"))      # KERAS_BACKEND, before Keras is imported
    from danqmotifs.formats.meme import read_meme
    from danqmotifs.model.training import Checkpoint, TrainSettings, configure_runtime, export, train
    from danqmotifs.report.plot.training import plot_training_curves

    settings = TrainSettings.from_config(sm.params.train)
    settings.threads = sm.threads
    for note in configure_runtime(sm.params.seed, sm.threads, gpus=settings.gpus):
        print(note, flush=True)
    motifs = read_meme(sm.input.init_motifs)[0] if "init_motifs" in sm.input.keys() else None
    result = train(sm.input.train, sm.input.valid, sm.params.checkpoint, sm.params.model, settings,
                   sm.params.seed, init_motifs=motifs, log=progress)
    for rec in result.init_records:
        print(f"init kernel {rec['kernel']}: {rec['motif']} {rec['name']} at row {rec['offset']} "
              f"(motif columns {rec['motif_start']}..{rec['motif_start'] + rec['width'] - 1})")
    export(result, sm.output.model, sm.output.history, sm.output.targets)
    plot_training_curves(result.history, sm.output.curves, result.best_epoch)
    Checkpoint(sm.params.checkpoint, "").clear()
    best = next(r for r in result.history if r["epoch"] == result.best_epoch)
    progress(f"kept epoch {result.best_epoch} of {len(result.history)}: val_loss {best['val_loss']:.4f}, "
          f"val mean ROC AUC {best['val_auc']:.4f} -> {sm.output.model}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output, interrupted="training stopped; the last finished epoch is checkpointed: run "
                "the same snakemake command again to resume from it")
