"""The plain way: the same one-kernel model built and trained with Keras, one ``model.fit`` per
motif. A reference for the compiled trainer (tests) and the baseline of its benchmark."""

from __future__ import annotations

import numpy as np

from ....core.alphabet import codes_to_onehot
from .settings import Settings


def build_model(width: int, length: int, settings: Settings, init=None):
    """Conv1D(1, width, valid, ReLU) -> GlobalMaxPooling1D -> Dense(1, sigmoid), compiled with
    binary cross-entropy and RMSprop; ``init`` = (W (w, 4), b, d, e) sets the weights."""
    import keras

    model = keras.Sequential([keras.Input((length, 4)), keras.layers.Conv1D(1, width, activation="relu"),
                              keras.layers.GlobalMaxPooling1D(), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.RMSprop(settings.learning_rate, rho=settings.rho,
                                                     epsilon=settings.epsilon),
                  loss="binary_crossentropy")
    if init is not None:
        W, b, d, e = init
        model.set_weights([np.asarray(W, np.float32)[:, :, None], np.array([b], np.float32),
                           np.array([[d]], np.float32), np.array([e], np.float32)])
    return model


def weights(model) -> tuple[np.ndarray, float, float, float]:
    """(W (w, 4), b, d, e) of a model made by :func:`build_model`, in float64."""
    k, b, d, e = model.get_weights()
    return k[:, :, 0].astype(np.float64), float(b[0]), float(d[0, 0]), float(e[0])


def _xy(part):
    codes, labels = part
    return codes_to_onehot(codes), np.asarray(labels, np.float32)[:, None]


def fit_one_epoch(train, valid, init, order, settings: Settings):
    """One epoch from ``init`` with the batches in ``order`` (no shuffling): (weights, train loss,
    validation loss)."""
    x, y = _xy(train)
    model = build_model(len(init[0]), x.shape[1], settings, init)
    h = model.fit(x[order], y[order], batch_size=settings.batch_size, epochs=1, shuffle=False, verbose=0,
                  validation_data=_xy(valid))
    return weights(model), h.history["loss"][0], h.history["val_loss"][0]


def fit_plain(train, valid, init, settings: Settings, seed: int = 0):
    """The whole training as the paper's code does it: ``model.fit`` with shuffling and
    EarlyStopping(val_loss, patience, restore_best_weights). Returns (model, epochs run)."""
    import keras

    keras.utils.set_random_seed(seed)
    x, y = _xy(train)
    model = build_model(len(init[0]), x.shape[1], settings, init)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=settings.patience, restore_best_weights=True)
    h = model.fit(x, y, batch_size=settings.batch_size, epochs=settings.max_epochs, shuffle=True, verbose=0,
                  validation_data=_xy(valid), callbacks=[stop])
    return model, len(h.history["loss"])


def predict(model, codes) -> np.ndarray:
    """The model's outputs for codes (n, length)."""
    return model.predict(codes_to_onehot(codes), batch_size=1000, verbose=0)[:, 0].astype(np.float64)
