"""Train, resume, evaluate, predict and read the kernels of a tiny DanQ on one Keras backend.

    python tests/backend_check.py BACKEND OUT_DIR

Run in a process of its own (a process has one Keras backend, fixed when Keras is imported);
tests/test_backends.py runs it on TensorFlow and JAX. Writes tiny data, trains 2 epochs in one go,
trains 1 epoch and resumes for the second, checks both end with equal weights and optimizer state,
exports the best model, evaluates it, predicts a FASTA file and reads its kernels. Prints one JSON
line: the backend, the SHA-256 of every output file and the checks' results.
"""

import hashlib
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(backend: str, out: Path) -> dict:
    from danqmotifs.model.training.runtime import select_backend

    select_backend(backend)
    import numpy as np

    sys.path.insert(0, str(Path(__file__).parent))
    from helpers.data import write_split
    from helpers.stream import fit_equals_steps

    from danqmotifs.model.evaluate import evaluate_split, write_auc_table
    from danqmotifs.model.modelio import load_model_kernels
    from danqmotifs.model.predict import predict_fasta
    from danqmotifs.model.training import TrainSettings, configure_runtime, export, train
    from danqmotifs.model.training.runtime import active_backend

    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(5)
    site = np.array([0, 2, 3, 3, 0, 1, 0], np.uint8)
    for split, n in (("train", 300), ("valid", 100)):
        codes = rng.integers(0, 4, size=(n, 40)).astype(np.uint8)
        y = (rng.random((n, 2)) < 0.4).astype(np.uint8)
        codes[y[:, 0] == 1, 10:17] = site
        write_split(out / f"{split}.h5", codes, y, ["site", "noise"], "simulate", split)
    tiny = {"preset": "small", "kernels": 4, "kernel_width": 5, "pool": 4, "lstm_units": 3, "dense_units": 4}

    def run(ckpt, epochs, log=lambda m: None):
        settings = TrainSettings(optimizer="adam", learning_rate=0.01, batch_size=50, max_epochs=epochs,
                                 patience=5, threads=1, backend=backend)
        configure_runtime(1, 1)
        return train(out / "train.h5", out / "valid.h5", out / ckpt, tiny, settings, 1, log=log)

    full = run("full", 2)
    first = run("split", 1)
    notes = []
    second = run("split", 2, notes.append)

    import keras

    a = keras.models.load_model(out / "full" / "epoch-0002.keras")
    b = keras.models.load_model(out / "split" / "epoch-0002.keras")
    same_weights = all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))
    same_opt = all(np.array_equal(keras.ops.convert_to_numpy(x.value), keras.ops.convert_to_numpy(y.value))
                   for x, y in zip(a.optimizer.variables, b.optimizer.variables))
    export(full, out / "best.keras", out / "history.tsv", out / "targets.txt")
    write_auc_table(evaluate_split(out / "best.keras", out / "valid.h5", 64, True, log=lambda m: None),
                    out / "auc.tsv")
    (out / "in.fa").write_text(">s1\n" + "ACGT" * 10 + "\n>s2\n" + "GATTACA" * 5 + "ACGTN\n")
    predict_fasta(out / "best.keras", out / "in.fa", out / "pred.tsv", 8, True, "none", out / "targets.txt")
    ks = load_model_kernels(out / "best.keras")
    np.save(out / "kernels.npy", np.asarray(ks.W))
    stream_ok = fit_equals_steps(out / "train.h5", batch_size=32, chunk_rows=64)
    files = ("best.keras", "history.tsv", "auc.tsv", "pred.tsv", "kernels.npy")
    return dict(backend=active_backend(), resumed_from=second.resumed_from, first_epochs=len(first.history),
                resume_note=any("resuming from the checkpoint after epoch 1" in n for n in notes),
                same_weights=same_weights, same_optimizer_state=same_opt,
                same_history=full.history == second.history, fit_equals_steps=stream_ok, history=full.history,
                sha256={f: hashlib.sha256((out / f).read_bytes()).hexdigest() for f in files})


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], Path(sys.argv[2]))))
