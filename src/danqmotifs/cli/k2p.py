"""Console scripts with the k2p toolbox's interface: kernel2pwm, pwm2kernel, kernel2pwm-mle.

Options keep k2p's names and defaults where k2p has them (``--base`` e, ``--motif-name temp_motif``,
``--use-meme-header``, ``--save-matrix-only``, ``--delta``, ``--shift``, ``--shift-by-minimum``,
``--kernel-tensor-name``, ``--sequence-tensor-name``, ``--PWM_tensor_name``), so the same command
gives the same numbers as the published toolbox: by default kernels are read as true convolution
kernels (Theano, ``--convention convolution``: rows flipped before the transformation) and the MLE
uses one shared base, all sequences, the forward strand. Kernels dumped by this workflow are in
correlation orientation (Keras): pass ``--convention correlation`` for them.

The files are read and written by their owners (``danqmotifs.formats``): the text matrices by
:mod:`danqmotifs.formats.kernel_text`, the k2p dialect of MEME by :mod:`danqmotifs.formats.meme`, the PWM
tensor file by :mod:`danqmotifs.formats.method_file`.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

import h5py
import numpy as np

from ..core.errors import InputError, atomic_output, require_file
from ..core.pwm import CONVENTIONS, flip_convention, kernel_to_pwm, pwm_to_kernel
from ..formats.kernel_text import format_kernel_text, parse_kernel_text
from ..formats.meme import format_k2p_meme, parse_single_pwm
from ..formats.method_file import write_pwm_file
from ..model.kernels import check_biases, check_kernel_tensor, check_sequence_tensor, read_tensor
from ..motifs.mle import BASES, SEQUENCES, estimate_base
from ..motifs.scoring import ENGINES, scan_max
from . import check_paths, command, finite_float, int_range, parser, positive_int

_CONVENTION_HELP = ("orientation of the kernels in the input/output: 'convolution' (Theano, k2p's "
                    "files: row order reversed with respect to the sequence) or 'correlation' "
                    "(Keras/TensorFlow, and this workflow's kernels.h5: row j faces base i + j). "
                    "Default: the orientation an HDF5 input records in its 'orientation' attribute "
                    "(this workflow's files say correlation), else convolution (k2p-compatible); "
                    "a value contradicting the file's record is an error.")


def _warn(msg: str) -> None:
    print(f"warning: {msg}", file=sys.stderr)


def _add_digits(p: argparse.ArgumentParser, what: str, note: str = "") -> argparse.ArgumentParser:
    """Add the ``--digits`` option (significant digits per written ``what``) to ``p``; return ``p``."""
    p.add_argument("--digits", type=int_range(1, 17), default=17,
                   help=f"significant digits per {what}, 1-17. Default: 17{note}.")
    return p


def _parsed(make_parser, argv) -> tuple[argparse.Namespace, float]:
    """The parsed arguments of a command with ``--base``, and ln of that base."""
    args = make_parser().parse_args(argv)
    return args, _ln_base(args.base)


def _ln_base(base: float, where: str = "--base") -> float:
    if not (base > 1) or not math.isfinite(base):
        raise InputError(where, f"the base must be a finite number > 1, got {base}",
                         "give a base above 1 (default e)")
    return math.log(base)


def _is_hdf5(path: str | None) -> bool:
    return path not in (None, "-") and Path(path).is_file() and h5py.is_hdf5(path)


def _read_text(path: str | None) -> str:
    if path in (None, "-"):
        return sys.stdin.read()
    p = Path(path)
    require_file(p, "the input file", "correct the path")
    return p.read_text(errors="replace")


def _write_text(path: str | None, text: str) -> None:
    if path in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with atomic_output(path) as tmp:
        Path(tmp).write_text(text)


def _convention(given: str | None, attrs: dict, path) -> str:
    """The orientation of an HDF5 file's kernels: the file's ``orientation`` attribute when it has
    one (docs/design.md sections 4 and 13.2: this workflow writes "correlation"), else ``given``, else
    k2p's "convolution". A ``given`` value contradicting the file's record is an InputError."""
    stated = attrs.get("orientation")
    if stated not in CONVENTIONS:
        return given or "convolution"
    if given is not None and given != stated:
        raise InputError(path, f"the file records its kernels in {stated} orientation but --convention "
                         f"{given} was given (that would reverse every motif)",
                         f"pass --convention {stated} or leave the option out")
    return stated


def _pwm_warnings(P: np.ndarray, W: np.ndarray, where: str) -> None:
    if ((P == 0) | (P == 1)).any():
        _warn(f"{where}: some PWM entries are exactly 0 or 1 in float64: the base is too large for a "
              "lossless transformation (the kernel cannot be recovered from the PWM); use a smaller base")
    flat = np.abs(P - 0.25).max(axis=-1) < 1e-8
    varies = (W.max(axis=-1) - W.min(axis=-1)) > 0
    if (flat & varies).any():
        _warn(f"{where}: some PWM rows are uniform within 1e-8 although the kernel row varies: the base "
              "is too close to 1 for a lossless transformation; use a larger base")


# ---------------------------------------------------------------------------------------------


def kernel2pwm_parser() -> argparse.ArgumentParser:
    p = parser(
        "kernel2pwm",
        "Transform a convolution kernel into its exact PWM for a given base: "
        "P[j, c] = b**W[j, c] / sum_c' b**W[j, c'] (computed stably as a softmax of ln(b) * W).")
    p.add_argument("input_file", nargs="?", default="-",
                   help="the kernel: a text matrix (rows = positions, 4 columns A C G T, no header; a bias "
                        "changes nothing) or an HDF5 file holding a [kernels, length, 4] tensor. "
                        "Default: standard input (text).")
    p.add_argument("output_file", nargs="?", default="-",
                   help="the PWM(s) in MEME motif format (without the MEME header unless "
                        "--use-meme-header). Default: standard output.")
    p.add_argument("--base", type=finite_float, default=math.e,
                   help="the base b (> 1) of the logarithm linking kernel and PWM. Default: e.")
    p.add_argument("--sep", default=None, help="column separator of a text kernel. Default: any whitespace.")
    p.add_argument("--motif-name", default="temp_motif",
                   help="the MOTIF name (for a tensor: the prefix, kernel k is NAME_k). Default: %(default)s.")
    p.add_argument("--use-meme-header", action="store_true",
                   help="write the MEME header (version, alphabet, strands, uniform background) first.")
    p.add_argument("--save-matrix-only", action="store_true",
                   help="write only the matrix rows (overrides --use-meme-header).")
    p.add_argument("--tensor-name", default=None,
                   help="dataset of an HDF5 input. Default: 'kernels' if the file has it, else its only "
                        "3-dimensional dataset (several: name one with this option).")
    p.add_argument("--convention", choices=CONVENTIONS, default=None, help=_CONVENTION_HELP)
    return _add_digits(p, "probability", " (lossless for float64)")


@command
def kernel2pwm_main(argv=None):
    """The ``kernel2pwm`` command (a ``main(argv=None) -> int``, see :func:`danqmotifs.cli.command`)."""
    args, v = _parsed(kernel2pwm_parser, argv)
    check_paths({"input_file": args.input_file}, {"output_file": args.output_file})
    src = args.input_file
    if _is_hdf5(src):
        W, name, attrs = read_tensor(src, args.tensor_name, "kernel tensor", preferred="kernels",
                                     option="--tensor-name")
        W = check_kernel_tensor(W, f"{src}:{name}").astype(np.float64)
        names = [f"{args.motif_name}_{k}" for k in range(W.shape[0])]
        convention = _convention(args.convention, attrs, src)
    else:
        W = parse_kernel_text(_read_text(src), "<stdin>" if src == "-" else src, args.sep)[None]
        names = [args.motif_name]
        convention = args.convention or "convolution"
    if any(re.search(r"[\s=]", n) for n in names):
        raise InputError("--motif-name", "motif names cannot contain spaces or '='", "choose another name")
    W = flip_convention(W, convention)
    P = kernel_to_pwm(W, v)
    _pwm_warnings(P, W, "kernel2pwm")
    _write_text(args.output_file, format_k2p_meme(P, names, args.use_meme_header, args.save_matrix_only,
                                                  args.digits))


def pwm2kernel_parser() -> argparse.ArgumentParser:
    p = parser(
        "pwm2kernel",
        "Transform a PWM into a convolution kernel: W[j, c] = log_b P[j, c] (plus an optional shift).")
    p.add_argument("input_file", nargs="?", default="-",
                   help="a MEME motif file with one motif (the MEME header is optional; a bare L x 4 "
                        "matrix also works). Default: standard input.")
    p.add_argument("output_file", nargs="?", default="-",
                   help="the kernel as text: rows = positions, 4 columns A C G T. Default: standard output.")
    p.add_argument("--base", type=finite_float, default=math.e,
                   help="the base b (> 1) of the logarithm. Default: e.")
    p.add_argument("--delta", type=finite_float, default=None,
                   help="added to zero entries only (no renormalisation), since log(0) is not finite. "
                        "Default: the smallest positive entry of the PWM / 10.")
    p.add_argument("--shift", type=finite_float, default=0.0,
                   help="added to every entry of the kernel (useful before a ReLU). Default: 0.")
    p.add_argument("--shift-by-minimum", action="store_true",
                   help="add |smallest entry of the kernel| to every entry instead (overrides --shift).")
    p.add_argument("--convention", choices=CONVENTIONS, default="convolution",
                   help="orientation of the kernel written: 'convolution' (Theano, k2p's files) or "
                        "'correlation' (Keras/TensorFlow). Default: %(default)s (k2p-compatible).")
    return _add_digits(p, "weight")


@command
def pwm2kernel_main(argv=None):
    """The ``pwm2kernel`` command (a ``main(argv=None) -> int``, see :func:`danqmotifs.cli.command`)."""
    args, v = _parsed(pwm2kernel_parser, argv)
    check_paths({"input_file": args.input_file}, {"output_file": args.output_file})
    where = "<stdin>" if args.input_file == "-" else args.input_file
    P = parse_single_pwm(_read_text(args.input_file), where, warn=_warn)
    if args.delta is not None and not args.delta > 0:
        raise InputError("--delta", f"delta must be > 0, got {args.delta}", "give a small positive number")
    if (P == 0).any():
        d = args.delta if args.delta is not None else P[P > 0].min() / 10.0
        _warn(f"{where}: {(P == 0).sum()} zero entries get delta = {d:g}")
    if math.log(args.base) < 1e-4:
        _warn("the base is very close to 1: the kernel's weights will be huge")
    W, _ = pwm_to_kernel(P, v, args.delta, args.shift, args.shift_by_minimum)
    W = flip_convention(W, args.convention)
    _write_text(args.output_file, format_kernel_text(W, args.digits))


def kernel2pwm_mle_parser() -> argparse.ArgumentParser:
    p = parser(
        "kernel2pwm-mle",
        "Transform kernels into PWMs with the base estimated by maximum likelihood from the "
        "best-scoring window of every kernel in every sequence (model: input -> convolution -> "
        "(ReLU) -> max-pooling -> ...).")
    p.add_argument("kernel_tensor_hdf5_file",
                   help="HDF5 file with the kernel tensor [kernels, length, 4] (A, C, G, T).")
    p.add_argument("sequence_tensor_hdf5_file",
                   help="HDF5 file with the one-hot sequence tensor [sequences, length, 4] (A, C, G, T; "
                        "N as an all-zero row); sequences at least as long as the kernels.")
    p.add_argument("output_hdf5_file",
                   help="HDF5 file to write: the PWM tensor (same layout as the kernels), 'ln_b' and "
                        "'nsites' (pairs used per kernel).")
    p.add_argument("--kernel-tensor-name", default=None,
                   help="kernel dataset. Default: 'kernels' if the file has it, else its only "
                        "3-dimensional dataset (several: name one with this option).")
    p.add_argument("--sequence-tensor-name", default=None,
                   help="sequence dataset. Default: 'sequences' if the file has it, else its only "
                        "3-dimensional dataset (several: name one with this option).")
    p.add_argument("--PWM_tensor_name", "--pwm-tensor-name", dest="pwm_tensor_name", default="PWM_tensor",
                   help="name of the PWM dataset written. Default: %(default)s.")
    p.add_argument("--bias-name", default=None,
                   help="bias dataset [kernels] in the kernel file, used by --sequences activated. Default: "
                        "'biases' if the file has it, else 0 (k2p folds a bias into the kernel as b/L per entry).")
    p.add_argument("--convention", choices=CONVENTIONS, default=None, help=_CONVENTION_HELP)
    p.add_argument("--sequences", choices=SEQUENCES, default=None,
                   help="which (sequence, kernel) pairs enter the likelihood: all (k2p) or activated "
                        "(best score + bias > 0, the windows a ReLU passes; the workflow's "
                        "motifs.sequences default). Default: all, as k2p (a note says so).")
    p.add_argument("--base", choices=BASES, default="shared",
                   help="one base shared by all kernels (k2p) or one per kernel. Default: %(default)s.")
    p.add_argument("--strands", choices=("forward", "both"), default="forward",
                   help="best window on the forward strand (k2p) or on both strands. Default: %(default)s.")
    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help="how the scores are computed (auto: numba if installed, else BLAS). Default: auto.")
    p.add_argument("--batch-size", type=positive_int, default=256,
                   help="sequences per batch (>= 1). Default: 256.")
    return p


@command
def kernel2pwm_mle_main(argv=None):
    """The ``kernel2pwm-mle`` command (a ``main(argv=None) -> int``, see :func:`danqmotifs.cli.command`)."""
    args = kernel2pwm_mle_parser().parse_args(argv)
    check_paths({"kernel_tensor_hdf5_file": args.kernel_tensor_hdf5_file,
                 "sequence_tensor_hdf5_file": args.sequence_tensor_hdf5_file},
                {"output_hdf5_file": args.output_hdf5_file})
    note_default = args.sequences is None
    args.sequences = args.sequences or "all"
    kpath, spath = args.kernel_tensor_hdf5_file, args.sequence_tensor_hdf5_file
    W, kname, kattrs = read_tensor(kpath, args.kernel_tensor_name, "kernel tensor", preferred="kernels",
                                   option="--kernel-tensor-name")
    W = check_kernel_tensor(W, f"{kpath}:{kname}").astype(np.float64)
    convention = _convention(args.convention, kattrs, kpath)
    X, sname, _ = read_tensor(spath, args.sequence_tensor_name, "sequence tensor", preferred="sequences",
                              option="--sequence-tensor-name")
    codes = check_sequence_tensor(X, W.shape[1], f"{spath}:{sname}")
    del X
    bias = np.zeros(W.shape[0])
    if args.bias_name is not None:
        b, _, _ = read_tensor(kpath, args.bias_name, "bias")
        bias = check_biases(b, W.shape[0], f"{kpath}:{args.bias_name}")
    else:
        with h5py.File(kpath, "r") as f:
            if "biases" in f and f["biases"].shape == (W.shape[0],):
                bias = check_biases(f["biases"][()], W.shape[0], f"{kpath}:biases")
    W = flip_convention(W, convention)
    both = args.strands == "both"
    scan = scan_max(codes, W, both_strands=both, batch_size=args.batch_size, engine=args.engine)
    if note_default:
        print("note: --sequences all (k2p's default): every sequence enters the likelihood; the "
              "workflow uses activated sequences (motifs.sequences: activated), which gives another "
              "base: pass --sequences activated to get the workflow's", file=sys.stderr)
    fit = estimate_base(W, scan.best(both), bias, args.sequences, args.base)
    P = kernel_to_pwm(W, fit.ln_b)
    write_pwm_file(args.output_hdf5_file, {args.pwm_tensor_name: P, "ln_b": fit.ln_b, "nsites": fit.nsites},
                   {"sequences": args.sequences, "base": args.base, "strands": args.strands,
                    "input_convention": convention, "orientation": "correlation", "alphabet": "ACGT"})
    if fit.shared:
        v = float(fit.ln_b[0])
        extra = {1: " (derivative <= 0 at 0: uniform PWMs)", 2: " (unbounded: capped)"}.get(int(fit.status[0]), "")
        print(f"ln b = {v:.10g}, b = {math.exp(min(v, 700)):.10g}{extra}; loglik = {fit.loglik[0]:.10g}; "
              f"{W.shape[0]} kernels, {codes.shape[0]} sequences", file=sys.stderr)
    else:
        print(f"ln b per kernel: min {fit.ln_b.min():.6g}, median {np.median(fit.ln_b):.6g}, "
              f"max {fit.ln_b.max():.6g}; at zero: {int((fit.status == 1).sum())}, "
              f"no data: {len(fit.fallback)}", file=sys.stderr)
