"""Sizes and training settings of the simulation (defaults: the schema's ``figures.k2p_simulation``,
which are the k2p authors' released code, run under Keras 1.0.4 on Theano; docs/k2p_simulation.md
lists what was checked)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ....core.config_defaults import defaults
from ....core.errors import InputError

#: the config block ``figures: k2p_simulation:`` with its defaults (the schema's)
DEFAULT_CONFIG = defaults("figures", "k2p_simulation")
_SIZES, _TRAINING = DEFAULT_CONFIG["sizes"], DEFAULT_CONFIG["training"]


@dataclass(frozen=True)
class Settings:
    """Everything that defines one motif's experiment apart from the matrix and the seed.

    Attributes
    ----------
    n_positive, n_negative : int
        Sequences with and without the planted instance.
    length : int
        Sequence length (bp).
    test_fraction : float
        Share of the sequences held out for the test split (the authors: the first of 4
        unshuffled stratified folds, 1/4).
    valid_fraction : float
        Share of the remaining sequences used for validation (the authors: the first of 5
        unshuffled stratified folds, 1/5).
    learning_rate, rho, epsilon : float
        RMSprop (no momentum, not centred). Keras 1.0.4's defaults: lr 1e-3, rho 0.9, epsilon 1e-8
        added after the square root.
    batch_size, max_epochs, patience : int
        Mini-batch size, epoch cap, early-stopping patience on the validation loss.
    semantics : str
        ``"keras1"`` (the authors' Keras 1.0.4 on Theano: epsilon after the square root, the
        sigmoid output clipped to [1e-7, 1 - 1e-7] in the loss, the max-pool gradient given whole
        to each tied maximum, early stopping that checks before counting and keeps the FINAL
        weights) or ``"keras3"`` (epsilon inside the square root, loss from the logit, tied
        maxima share the gradient, the best epoch's weights restored).
    """

    n_positive: int = _SIZES["n_positive"]
    n_negative: int = _SIZES["n_negative"]
    length: int = _SIZES["length"]
    test_fraction: float = _SIZES["test_fraction"]
    valid_fraction: float = _SIZES["valid_fraction"]
    learning_rate: float = _TRAINING["learning_rate"]
    rho: float = _TRAINING["rho"]
    epsilon: float = _TRAINING["epsilon"]
    batch_size: int = _TRAINING["batch_size"]
    max_epochs: int = _TRAINING["max_epochs"]
    patience: int = _TRAINING["patience"]
    semantics: str = _TRAINING["semantics"]

    def __post_init__(self):
        where = "figures.k2p_simulation"
        for name in ("n_positive", "n_negative", "length", "batch_size", "max_epochs"):
            if int(getattr(self, name)) < 1:
                raise InputError(f"{where}: {name}", f"{name} must be >= 1", f"set {name} to a positive integer")
        for name in ("test_fraction", "valid_fraction"):
            if not 0.0 < float(getattr(self, name)) < 1.0:
                raise InputError(f"{where}: {name}", f"{name} must lie strictly between 0 and 1",
                                 f"set {name} to e.g. 0.25")
        if self.patience < 0 or self.learning_rate <= 0 or not 0.0 <= self.rho < 1.0 or self.epsilon <= 0:
            raise InputError(where, "patience < 0, learning_rate <= 0, rho outside [0, 1) or epsilon <= 0",
                             "use the defaults: patience 5, learning_rate 0.001, rho 0.9, epsilon 1e-8")
        if self.semantics not in SEMANTICS:
            raise InputError(f"{where}.training.semantics: {self.semantics}", "unknown training semantics",
                             f"use one of {', '.join(SEMANTICS)}")

    @classmethod
    def from_config(cls, sizes: dict | None = None, training: dict | None = None) -> "Settings":
        """Build from the config's ``sizes`` and ``training`` blocks (unknown keys: InputError)."""
        kw = {}
        for block, name in ((sizes or {}, "sizes"), (training or {}, "training")):
            allowed = set(DEFAULT_CONFIG[name])
            bad = sorted(set(block) - allowed)
            if bad:
                raise InputError(f"figures.k2p_simulation.{name}", f"unknown key(s) {', '.join(bad)}",
                                 f"use only {', '.join(sorted(allowed))}")
            kw.update(block)
        return cls(**kw)

    def as_dict(self) -> dict:
        return asdict(self)


#: the trainer's two behaviours (see :class:`Settings`)
SEMANTICS = ("keras1", "keras3")
#: what wilcoxon.json's scatter (scatter.png) shows: the authors' protocol or the held-out check
PROTOCOLS = ("paper", "heldout")


def with_defaults(cfg: dict | None) -> dict:
    """The config block completed with :data:`DEFAULT_CONFIG` (nested blocks merged key by key)."""
    cfg = dict(cfg or {})
    out = {**DEFAULT_CONFIG, **cfg}
    for block in ("sizes", "training"):
        out[block] = {**DEFAULT_CONFIG[block], **(cfg.get(block) or {})}
    return out
