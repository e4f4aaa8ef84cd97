"""A position weight matrix with its MEME metadata (rows A, C, G, T)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Motif:
    """One motif: ``pwm`` is (L, 4) probabilities in A, C, G, T order, rows summing to 1."""

    id: str
    pwm: np.ndarray
    name: str = ""
    nsites: int = 20
    evalue: float = 0.0
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.pwm = np.asarray(self.pwm, dtype=np.float64)
        if self.pwm.ndim != 2 or self.pwm.shape[1] != 4:
            raise ValueError(f"motif {self.id}: PWM must be (L, 4), got {self.pwm.shape}")

    @property
    def width(self) -> int:
        return self.pwm.shape[0]

    def reverse_complement(self) -> "Motif":
        return Motif(self.id, self.pwm[::-1, ::-1].copy(), self.name, self.nsites, self.evalue,
                     dict(self.extra))
