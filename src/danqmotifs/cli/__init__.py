"""The console scripts, with one way of starting and failing.

=====================  ==========================================  ===========================
command                what it does                                module
=====================  ==========================================  ===========================
``kernel2pwm``         kernel -> exact PWM for a given base        :mod:`danqmotifs.cli.k2p`
``pwm2kernel``         PWM -> kernel                               :mod:`danqmotifs.cli.k2p`
``kernel2pwm-mle``     kernels -> PWMs, base by maximum likelihood :mod:`danqmotifs.cli.k2p`
``motif-match``        MEME motifs against JASPAR or a database    :mod:`danqmotifs.cli.match`
``predict``            a trained model's probabilities for FASTA   :mod:`danqmotifs.cli.predict`
=====================  ==========================================  ===========================

Every command is a ``main(argv=None) -> int`` made by :func:`command`: bad input
(:class:`~danqmotifs.errors.InputError` or ``ValueError``) prints one line ``error: <message>`` on
standard error and gives exit status 2, as argparse does for bad options; every command has
``--version`` (:func:`parser`).
"""

from __future__ import annotations

import argparse
import sys
from functools import wraps
from importlib import metadata
from typing import Callable, Sequence

from ..errors import InputError

#: exit status of a command given bad input (argparse uses the same for bad options)
EXIT_BAD_INPUT = 2


def version() -> str:
    """The installed package's version (``importlib.metadata``), "unknown" if not installed."""
    try:
        return metadata.version("danqmotifs")
    except metadata.PackageNotFoundError:
        return "unknown"


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    """An argument parser for the command ``prog`` with ``--version``."""
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument("--version", action="version", version=f"%(prog)s (danqmotifs) {version()}")
    return p


def error(message: object) -> int:
    """Print ``error: <message>`` on standard error; return :data:`EXIT_BAD_INPUT`."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    return EXIT_BAD_INPUT


def command(run: Callable[[Sequence[str] | None], object]) -> Callable[[Sequence[str] | None], int]:
    """Turn ``run(argv)`` (which raises on bad input) into a command ``main(argv=None) -> int``.

    ``main`` returns 0 when ``run`` returns, and :data:`EXIT_BAD_INPUT` after printing
    ``error: <message>`` when it raises :class:`~danqmotifs.errors.InputError` or ``ValueError``.
    Console-script wrappers pass the returned status to ``sys.exit``.
    """
    @wraps(run)
    def main(argv: Sequence[str] | None = None) -> int:
        try:
            run(argv)
        except (InputError, ValueError) as exc:
            return error(exc)
        return 0

    return main
