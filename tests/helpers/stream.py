"""Does ``model.fit`` on a training stream see exactly each epoch's batches, in order?"""

from pathlib import Path


def fit_equals_steps(path: Path, batch_size: int, chunk_rows: int, length: int = 40) -> bool:
    """Fit a tiny model on ``SplitSequence(path).keras_dataset`` from epoch 1 to the end of epoch 2
    (look-ahead threads, a resumed run's start) and another with ``train_on_batch`` over epoch 1's
    then epoch 2's batches in index order, from the same initial weights: True when their weights
    are equal bit for bit (on the active Keras backend)."""
    import keras
    import numpy as np

    from danqmotifs.model.training import SplitSequence

    ds = SplitSequence(path, batch_size=batch_size, shuffle=True, seed=2, window_chunks=1, chunk_rows=chunk_rows)

    def fresh():
        keras.utils.set_random_seed(3)
        inp = keras.Input((length, 4))
        m = keras.Model(inp, keras.layers.Dense(2, activation="sigmoid")(keras.layers.Flatten()(inp)))
        m.compile(keras.optimizers.SGD(0.05), "binary_crossentropy")
        return m

    try:
        fitted, stepped = fresh(), fresh()
        fitted.fit(ds.keras_dataset(first_epoch=1, workers=2, lookahead=3), steps_per_epoch=len(ds),
                   validation_data=ds.keras_dataset(endless=False, workers=2), epochs=3, initial_epoch=1,
                   shuffle=False, verbose=0)
        for e in (1, 2):
            ds.set_epoch(e)
            for b in range(len(ds)):
                stepped.train_on_batch(*ds[b])
        return all(np.array_equal(a, b) for a, b in zip(fitted.get_weights(), stepped.get_weights()))
    finally:
        ds.close()
