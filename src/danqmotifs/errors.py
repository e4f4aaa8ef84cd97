"""Clear errors for bad input, and outputs that never exist half-written.

Every problem a user can fix is raised as :class:`InputError`, whose message names the file, the
problem and the fix. Every output is written to a temporary file in the same directory and renamed
into place only once complete (:func:`atomic_output`), so a failure never leaves a partial file.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator


class InputError(Exception):
    """A problem with an input that the user can fix.

    Parameters
    ----------
    path : the file (or config key) at fault.
    problem : what is wrong, in one sentence.
    fix : what the user should do about it.
    """

    def __init__(self, path: str | os.PathLike | None, problem: str, fix: str):
        self.path = str(path) if path is not None else "<input>"
        self.problem = problem.rstrip(".")
        self.fix = fix.rstrip(".")
        super().__init__(f"{self.path}: {self.problem}. Fix: {self.fix}.")


def ensure_writable_dir(path: str | os.PathLike) -> Path:
    """Create the parent directory of ``path`` and check that it is writable."""
    parent = Path(path).resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(parent, f"cannot create the output directory ({exc.strerror})",
                         "choose a writable output location or fix the directory's permissions") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(parent, "the output directory is not writable",
                         "choose a writable output location or fix the directory's permissions")
    return parent


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only if the block succeeds.

    The temporary name keeps the final suffix (``suffix`` overrides it) so that libraries which look
    at extensions (h5py, matplotlib, keras) behave as for the final file.
    """
    path = Path(path)
    parent = ensure_writable_dir(path)
    sfx = suffix if suffix is not None else "".join(path.suffixes[-1:])
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp" + sfx, dir=parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes the file private (0600); give it the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def remove_outputs(paths: Iterable[str | os.PathLike]) -> None:
    """Delete whatever of ``paths`` exists (files or directories)."""
    import shutil

    for p in paths:
        p = Path(p)
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


def run_guarded(main: Callable[[], None], outputs: Iterable[str | os.PathLike] = ()) -> None:
    """Run a workflow script's ``main``; on :class:`InputError` print one clear message
    (``error: <message>``, the prefix of the console scripts, see ``danqmotifs.cli``), remove the
    outputs and exit with status 1 (no traceback: the message says everything)."""
    outputs = list(outputs)
    try:
        main()
    except InputError as exc:
        remove_outputs(outputs)
        print(f"error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    except BaseException:
        remove_outputs(outputs)
        raise


def open_hdf5(path: str | os.PathLike, what: str, fix: str):
    """Open an input HDF5 file for reading; a missing or unreadable (e.g. truncated) file is an
    InputError saying what the file is (``what``) and how to get a good one (``fix``)."""
    import h5py

    path = Path(path)
    if not path.exists():
        raise InputError(path, f"the {what} file does not exist", fix)
    try:
        return h5py.File(path, "r")
    except OSError as exc:
        raise InputError(path, f"not a readable HDF5 file, perhaps truncated ({exc})", fix) from None
