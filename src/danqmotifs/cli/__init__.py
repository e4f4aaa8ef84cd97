"""The console scripts, with one way of starting and failing.

=====================  ==========================================  ===========================
command                what it does                                module
=====================  ==========================================  ===========================
``kernel2pwm``         kernel -> exact PWM for a given base        :mod:`danqmotifs.cli.k2p`
``pwm2kernel``         PWM -> kernel                               :mod:`danqmotifs.cli.k2p`
``kernel2pwm-mle``     kernels -> PWMs, base by maximum likelihood :mod:`danqmotifs.cli.k2p`
``motif-match``        MEME motifs against JASPAR or a database    :mod:`danqmotifs.cli.match`
``predict``            a trained model's probabilities for FASTA   :mod:`danqmotifs.cli.predict`
``score-variants``     a VCF's effects on the predictions          :mod:`danqmotifs.cli.variants`
=====================  ==========================================  ===========================

Every command is a ``main(argv=None) -> int`` made by :func:`command`: bad input
(:class:`~danqmotifs.core.errors.InputError` or ``ValueError``) prints one line ``error: <message>`` on
standard error and gives exit status 2, as argparse does for bad options; every command has
``--version`` (:func:`parser`). A reader that closes standard output early (``--out - | head``)
ends the command quietly with status 141. Before reading anything, every command passes its input
and output paths to :func:`check_paths`: an output that is one of the inputs, or another output, or
a directory where a file is expected, is refused naming the options.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from functools import wraps
from importlib import metadata
from typing import Callable, Sequence

from ..core.errors import EXIT_INTERRUPTED, InputError, is_stream_path

#: exit status of a command given bad input (argparse uses the same for bad options)
EXIT_BAD_INPUT = 2
#: exit status when the reader of standard output closed it early (``| head``): 128 + SIGPIPE, as
#: a shell reports a command ended by that signal; nothing is printed
EXIT_BROKEN_PIPE = 141


def version() -> str:
    """The installed package's version (``importlib.metadata``), "unknown" if not installed."""
    try:
        return metadata.version("danqmotifs")
    except metadata.PackageNotFoundError:
        return "unknown"


def parser(prog: str, description: str, model: bool = False) -> argparse.ArgumentParser:
    """An argument parser for the command ``prog`` with ``--version`` (and, with ``model``, the
    required ``--model`` of the commands that run a trained model)."""
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument("--version", action="version", version=f"%(prog)s (danqmotifs) {version()}")
    if model:
        p.add_argument("--model", required=True, help="a model saved by the train rule (best.keras), or "
                       "DanQ's published weights file (DanQ_bestmodel.hdf5)")
    return p


def _number(kind: type, text: str, low=None, high=None, what: str = "number"):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1 (batch sizes, counts)."""
    return _number(int, text, 1, None, "an integer >= 1")


def nonnegative_int(text: str) -> int:
    """argparse type: an integer >= 0 (0 has a documented meaning, such as 'all cores')."""
    return _number(int, text, 0, None, "an integer >= 0")


def finite_float(text: str) -> float:
    """argparse type: a finite float (no nan or inf)."""
    return _number(float, text, None, None, "a finite number")


def int_range(low: int, high: int) -> Callable[[str], int]:
    """argparse type: an integer in [low, high]."""
    def parse(text: str) -> int:
        return _number(int, text, low, high, f"an integer from {low} to {high}")

    parse.__name__ = f"integer {low}..{high}"
    return parse


def float_range(low: float, high: float) -> Callable[[str], float]:
    """argparse type: a finite float in [low, high]."""
    def parse(text: str) -> float:
        return _number(float, text, low, high, f"a number from {low:g} to {high:g}")

    parse.__name__ = f"number {low:g}..{high:g}"
    return parse


def _same_file(a: str, b: str) -> bool:
    """Whether the paths ``a`` and ``b`` name one file: the same path once symlinks and ``..`` are
    resolved, or (both existing) the same inode, as a hard link is."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:               # one of them does not exist (yet): not the same file
        return False


def check_paths(inputs: dict[str, object], outputs: dict[str, object]) -> None:
    """Refuse, before anything is read or written, paths a command cannot use.

    ``inputs`` and ``outputs`` map an option's name (``--vcf``, ``input_file``) to the path given
    (``None`` or ``-``: not given, or a stream). Refused with one :class:`InputError` naming the
    options: an output that is the same file as an input (``samefile`` or the same resolved path:
    writing it would destroy the input), two outputs that are one file (one would replace the
    other), and an input that is a directory. Standard input/output and devices or pipes
    (``/dev/null``, ``/dev/stdout``, a named pipe) are streams, never compared.
    """
    given_in = [(k, str(v)) for k, v in inputs.items() if v is not None and not is_stream_path(v)]
    given_out = [(k, str(v)) for k, v in outputs.items() if v is not None and not is_stream_path(v)]
    for opt, path in given_in:
        if os.path.isdir(path):
            raise InputError(path, f"{opt} is a directory, not a file", f"give {opt} a file's path")
    for i, (oopt, opath) in enumerate(given_out):
        for iopt, ipath in given_in:
            if _same_file(opath, ipath):
                raise InputError(opath, f"{oopt} is the same file as the input {iopt}; writing it would "
                                 "destroy the input", f"give {oopt} another path")
        for oopt2, opath2 in given_out[:i]:
            if _same_file(opath, opath2):
                raise InputError(opath, f"{oopt2} and {oopt} are the same file; one output would replace "
                                 "the other", f"give {oopt2} and {oopt} different paths")


def error(message: object) -> int:
    """Print ``error: <message>`` on standard error; return :data:`EXIT_BAD_INPUT`."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    return EXIT_BAD_INPUT


def command(run: Callable[[Sequence[str] | None], object]) -> Callable[[Sequence[str] | None], int]:
    """Turn ``run(argv)`` (which raises on bad input) into a command ``main(argv=None) -> int``.

    ``main`` returns 0 when ``run`` returns, and :data:`EXIT_BAD_INPUT` after printing
    ``error: <message>`` when it raises :class:`~danqmotifs.core.errors.InputError` or ``ValueError``.
    Console-script wrappers pass the returned status to ``sys.exit``.
    """
    @wraps(run)
    def main(argv: Sequence[str] | None = None) -> int:
        try:
            run(argv)
        except (InputError, ValueError) as exc:
            return error(exc)
        except KeyboardInterrupt:          # Ctrl-C: one line, no traceback, no partial output
            print("interrupted: no output was written", file=sys.stderr, flush=True)
            return EXIT_INTERRUPTED
        except BrokenPipeError:            # `--out - | head`: the reader has what it wanted
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())    # no second error when Python flushes at exit
            return EXIT_BROKEN_PIPE
        return 0

    return main
