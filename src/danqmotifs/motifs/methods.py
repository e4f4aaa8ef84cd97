"""Motif methods: the ways a first-layer kernel becomes a motif, in one registry.

A method is a function that takes the kernels, their scan over the sequence sample and the
estimated base, and returns one probability matrix per kernel (plus what it wants to store beside
them). Everything downstream (MEME files, matching, logos, the report, the planted-motif benchmark)
loops over the registry, so a new method is one function and one :func:`register` call::

    from danqmotifs.motifs.methods import MethodResult, register

    def my_method(inputs):
        P = ...                                  # (K, L, 4), rows summing to 1
        return MethodResult(datasets={"PWM_tensor": P, "nsites": inputs.n_sites()})

    register("mine", my_method, label="my method")

and ``motifs.methods: [exact, heuristic, mine]`` (with ``motifs.plugins: [my_module]`` when the
registration lives outside this package) in the workflow's config.

Built in: ``exact`` (docs/design.md section 5: the PWM whose log-likelihood the kernel computes,
at the base estimated in section 6) and ``heuristic`` (section 7: stacked max-activation windows).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..core.errors import InputError
from ..core.pwm import exactness_check, kernel_to_pwm
from ..formats.base_json import ln_b_per_kernel
from .heuristic import heuristic_counts

#: the methods the workflow runs when the config does not say
DEFAULT_METHODS = ("exact", "heuristic")


@dataclass
class MethodInputs:
    """What every method may use (all arrays float64 unless said).

    Attributes
    ----------
    W : (K, L, 4) kernels, correlation orientation, A, C, G, T.
    bias : (K,) kernel biases.
    codes : (n, Ls) uint8 base codes of the sequence sample.
    scan : danqmotifs.motifs.scoring.ScanResult, best window score and position of every
        (sequence, kernel) pair (forward, and reverse complement when scanned).
    base : dict, the content of base.json (docs/design.md section 6).
    options : dict, the workflow's ``motifs`` settings (e.g. heuristic_strands,
        exactness_windows, seed).
    paths : dict, the input files (for messages): kernels, scores, base.
    """

    W: np.ndarray
    bias: np.ndarray
    codes: np.ndarray
    scan: object
    base: dict
    options: dict
    paths: dict = field(default_factory=dict)

    @property
    def n_kernels(self) -> int:
        return int(self.W.shape[0])

    def ln_b(self) -> np.ndarray:
        """ln b per kernel (K,), from base.json (shared or per kernel)."""

        return ln_b_per_kernel(self.base, self.n_kernels, self.paths.get("base", "base.json"))


@dataclass
class MethodResult:
    """A method's output, stored as ``motifs/<method>.h5`` and ``motifs/<method>.json``.

    Attributes
    ----------
    datasets : dict, written in this order; must hold ``PWM_tensor`` (K, L, 4) and ``nsites``
        (K,); an optional bool ``dead`` (K,) marks kernels that get no motif.
    attrs : dict of HDF5 attributes (``orientation`` and ``alphabet`` are the caller's to set).
    report : dict, JSON-able summary or check of the method (``motifs/<method>.json``).
    failure : str or None; when set the rule stops with this problem after writing nothing.
    """

    datasets: dict
    attrs: dict = field(default_factory=dict)
    report: dict = field(default_factory=dict)
    failure: str | None = None


@dataclass(frozen=True)
class MotifMethod:
    """A registered method: its ``name`` (file names, MEME alternate names), the ``compute``
    function, a human ``label`` for figures and what a kernel without a motif means
    (``dead_reason``, written to ``<method>_dead.tsv``)."""

    name: str
    compute: Callable[[MethodInputs], MethodResult]
    label: str
    dead_reason: str = "no motif"
    dead_note: str = "no motif"


METHODS: dict[str, MotifMethod] = {}


def register(name: str, compute: Callable[[MethodInputs], MethodResult], label: str | None = None,
             dead_reason: str = "no motif", dead_note: str = "no motif") -> MotifMethod:
    """Add a method to the registry (a name may be registered once) and return it."""
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"method name {name!r}: use letters, digits and _ only (it names files)")
    if name in METHODS and METHODS[name].compute is not compute:
        raise ValueError(f"a motif method called {name!r} is already registered")
    METHODS[name] = MotifMethod(name, compute, label or name, dead_reason, dead_note)
    return METHODS[name]


def load_plugins(modules) -> None:
    """Import modules that register methods of their own (config ``motifs.plugins``)."""
    for mod in modules or ():
        try:
            importlib.import_module(mod)
        except ImportError as exc:
            raise InputError("config", f"motifs.plugins: cannot import {mod!r} ({exc})",
                             "put the module on PYTHONPATH or remove it from motifs.plugins") from None


def get(name: str) -> MotifMethod:
    """The registered method ``name``; InputError naming the known ones otherwise."""
    if name not in METHODS:
        raise InputError("config", f"unknown motif method {name!r} (known: {', '.join(METHODS)})",
                         "use a registered method in motifs.methods, or register yours through "
                         "motifs.plugins")
    return METHODS[name]


def resolve(names, plugins=()) -> list[str]:
    """Check a config's ``motifs.methods`` list (after loading plugins); returns the names."""
    load_plugins(plugins)
    names = list(names or DEFAULT_METHODS)
    for n in names:
        get(n)
    if len(set(names)) != len(names):
        raise InputError("config", f"motifs.methods names a method twice: {names}",
                         "list each method once")
    return names


# ------------------------------------------------------------------------------- built-in methods

def exact(inputs: MethodInputs) -> MethodResult:
    """The exact PWMs, softmax(ln b * W) per row, and the check of the identity on random windows
    (score = ln P / ln b + C to ``tolerance``; docs/design.md section 5)."""

    opts = inputs.options
    tol = float(opts.get("tolerance", 1e-9))
    v = inputs.ln_b()
    P = kernel_to_pwm(inputs.W, v)
    check = exactness_check(inputs.W, P, v, n_windows=opts["exactness_windows"], seed=opts["seed"])
    check["tolerance"] = tol
    check["passed"] = bool(check["max_abs_error"] <= tol and check["max_pwm_error"] <= tol
                           and check["uniform_ok"])
    print(f"exactness: max |score - (ln P / ln b + C)| = {check['max_abs_error']:.3g} over "
          f"{check['n_windows']} random windows x {check['n_kernels_checked']} kernels")
    if check["uniform_kernels"]:
        print(f"NOTE: ln b = 0 for {len(check['uniform_kernels'])} kernel(s): uniform PWMs, identity void")
    failure = None
    if not check["passed"]:
        failure = (f"the exact transformation failed its check: max abs error "
                   f"{check['max_abs_error']:.3g}, PWM error {check['max_pwm_error']:.3g} (tolerance "
                   f"{tol:g}; uniform rows ok: {check['uniform_ok']}); look for extreme kernel weights "
                   f"or ln b values in base.json")
    base = inputs.base
    nsites = np.asarray(base.get("nsites", [inputs.codes.shape[0]] * inputs.n_kernels), dtype=np.int64)
    opt = base["options"]
    return MethodResult(
        datasets={"PWM_tensor": P, "ln_b": v, "nsites": nsites},
        attrs={"orientation": "correlation", "alphabet": "ACGT", "base": opt["base"],
               "sequences": opt["sequences"], "strands": opt["strands"],
               "max_abs_error": check["max_abs_error"]},
        report=check, failure=failure)


def heuristic(inputs: MethodInputs) -> MethodResult:
    """DeepBind-style PFMs: each sequence's max-activation window, where score + bias > 0 (ReLU
    output > 0, exponential output > 1), stacked into counts (docs/design.md sections 7, 7b)."""

    strands = inputs.options["heuristic_strands"]
    scan = inputs.scan
    both = strands == "both"
    if both and scan.m_rc is None:
        raise InputError(inputs.paths.get("scores", "scores.h5"),
                         "no reverse-complement scores for heuristic_strands: both", "rerun scan_kernels")
    h = heuristic_counts(inputs.codes, inputs.W.shape[1], inputs.bias, scan.m, scan.pos,
                         scan.m_rc if both else None, scan.pos_rc if both else None)
    K = inputs.n_kernels
    print(f"heuristic: {int(h.dead.sum())} dead kernel(s) of {K}; nsites median {int(np.median(h.nsites))}")
    return MethodResult(
        datasets={"counts": h.counts, "PWM_tensor": h.pwm, "nsites": h.nsites, "dead": h.dead,
                  "max_activation": h.max_activation},
        attrs={"orientation": "correlation", "alphabet": "ACGT", "strands": strands},
        report={"n_kernels": K, "n_dead": int(h.dead.sum()), "dead_kernels": np.flatnonzero(h.dead).tolist(),
                "nsites_median": float(np.median(h.nsites)), "strands": strands})


register("exact", exact, label="exact",
         dead_reason="no motif", dead_note="no motif")
register("heuristic", heuristic, label="heuristic",
         dead_reason="never activated: no site to stack, so no heuristic motif",
         dead_note="dead kernel (never activated)")


def _exact_oops(inputs: MethodInputs) -> MethodResult:
    from .refine import exact_oops

    return MethodResult(*exact_oops(inputs))


def _refined(inputs: MethodInputs) -> MethodResult:
    from .refine import refined

    return MethodResult(*refined(inputs))


# reported beside exact and heuristic when listed in motifs.methods (danqmotifs.motifs.refine)
register("exact_oops", _exact_oops, label="exact (OOPS base)",
         dead_reason="never activated: no sequence to fit the base on", dead_note="dead kernel (never activated)")
register("refined", _refined, label="refined (EM)",
         dead_reason="never activated: no sequence to refine on", dead_note="dead kernel (never activated)")
