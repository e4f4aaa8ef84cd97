"""Clear errors for bad input, and outputs that never exist half-written.

Every problem a user can fix is raised as :class:`InputError`, whose message names the file, the
problem and the fix. Every output is written to a temporary file in the same directory and renamed
into place only once complete (:func:`atomic_output`), so a failure never leaves a partial file.
What the output path is decides where the bytes go (:func:`output_target`): a symlink's target is
replaced (the link stays), ``-`` and existing devices or pipes receive the finished file as a
stream, a full disk is an InputError.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
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


#: ``errno`` values that mean the disk (or quota, or file-size limit) is full
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}

#: the output path that means standard output
STDOUT = "-"


def _no_space(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk is full (h5py reports it in the message, without errno)."""
    if not isinstance(exc, OSError):
        return False
    text = str(exc)
    return exc.errno in _NO_SPACE or any(
        w in text for w in ("No space left", "Disk quota exceeded", "File too large", "errno = 28"))


def is_stream_path(path: str | os.PathLike) -> bool:
    """Whether ``path`` stands for a stream rather than a file: ``-`` (standard input or output),
    ``/dev/stdin``/``stdout``/``stderr``, ``/dev/fd/N``, or an existing character device, FIFO or
    socket (``/dev/null``, a named pipe)."""
    text = str(path)
    if text == STDOUT or text in ("/dev/stdin", "/dev/stdout", "/dev/stderr") or \
            text.startswith(("/dev/fd/", "/proc/self/fd/")):
        return True
    try:
        mode = os.stat(text).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def output_target(path: str | os.PathLike) -> tuple[str, Path]:
    """What an output path stands for: ``("stdout", -)`` for ``-`` and ``/dev/stdout``,
    ``("stream", path)`` for ``/dev/stderr``, ``/dev/fd/N`` or an existing character device, FIFO or
    socket (``/dev/null``, a named pipe), or ``("file", path)`` with symlinks resolved (the link's
    target is replaced, the link kept).

    Raises
    ------
    InputError
        The path is an existing directory or block device.
    """
    if str(path) in (STDOUT, "/dev/stdout"):
        return "stdout", Path(STDOUT)
    p = Path(path)
    if str(p) == "/dev/stderr" or str(p).startswith(("/dev/fd/", "/proc/self/fd/")):
        return "stream", p        # an open descriptor, even when it is a redirected regular file
    try:
        st = os.stat(p)           # follows symlinks: /dev/stdout -> /proc/self/fd/1 -> a pipe or tty
    except (FileNotFoundError, NotADirectoryError):
        st = None                 # a new file (a parent that is a file: ensure_writable_dir says so)
    except OSError as exc:
        raise InputError(p, f"cannot inspect the output path ({exc.strerror})",
                         "choose another output location") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise InputError(p, "the output path is a directory", "give a file name inside it")
        if stat.S_ISBLK(st.st_mode):
            raise InputError(p, "the output path is a block device; writing would overwrite a disk",
                             "give a regular file name")
        if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode) or stat.S_ISSOCK(st.st_mode):
            return "stream", p
    # a (possibly dangling) symlink: write to what it points to, so the link keeps working
    return "file", Path(os.path.realpath(p))


def _copy_to_stream(tmp: Path, target: str, dest: Path) -> None:
    """Copy the finished temporary file to standard output or to a device/pipe."""
    if target == "stdout":
        sys.stdout.flush()
        out = getattr(sys.stdout, "buffer", None)
        if out is None:                       # a text-only stream (a test's capture, a log tee)
            sys.stdout.write(tmp.read_bytes().decode("utf-8", errors="replace"))
            sys.stdout.flush()
            return
        with open(tmp, "rb") as src:
            shutil.copyfileobj(src, out)
        out.flush()
        return
    with open(tmp, "rb") as src, open(dest, "ab") as out:     # append: never truncate a shell's file
        shutil.copyfileobj(src, out)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only if the block succeeds.

    The temporary name keeps the final suffix (``suffix`` overrides it) so that libraries which look
    at extensions (h5py, matplotlib, keras) behave as for the final file. What ``path`` is decides
    where the bytes go (:func:`output_target`):

    - a symlink: its target is replaced (atomically, from a temporary file in the target's
      directory); the link stays a link;
    - ``-``, or an existing character device, FIFO or socket (``/dev/stdout``, ``/dev/null``, a
      named pipe): the complete file is streamed into it (never replaced by a regular file);
    - a directory or block device: InputError.

    A full disk (or quota, or file-size limit) is an InputError naming the path, and no partial file
    is left.
    """
    target, dest = output_target(path)
    sfx = suffix if suffix is not None else "".join(Path(path).suffixes[-1:])
    if target == "file":
        parent = ensure_writable_dir(dest)
        prefix = f".{dest.stem}."
    else:
        parent, prefix = None, ".danqmotifs-stream."     # the system's temporary directory
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp" + sfx, dir=parent)
    except OSError as exc:
        if _no_space(exc):
            raise _disk_full(path, dest, target, exc) from None
        raise
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if target != "file":
            _copy_to_stream(tmp_path, target, dest)
            tmp_path.unlink()
            return
        # mkstemp makes the file private (0600); give it the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, dest)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        if _no_space(exc):
            raise _disk_full(path, dest, target, exc) from None
        raise


def _disk_full(path, dest: Path, target: str, exc: OSError) -> InputError:
    """The InputError for a full disk while writing ``path`` (see :func:`atomic_output`)."""
    if target == "file":
        where, left = dest, "no partial file was left"
    else:
        where, left = f"{path} (written through {tempfile.gettempdir()})", "the stream may hold part of it"
    said = exc.strerror or (str(exc).splitlines() or [""])[0][:120]
    return InputError(where, f"the disk is full (or a quota or file-size limit was reached) while "
                      f"writing; {left} ({said})",
                      "free some space or choose an output location on another disk")


def remove_outputs(paths: Iterable[str | os.PathLike]) -> None:
    """Delete whatever of ``paths`` exists as a regular file or directory.

    Symlinks, devices, FIFOs and sockets are left alone: an output given as ``/dev/null`` (as root)
    or as a link to a file elsewhere must survive a failed run (:func:`atomic_output` never touched
    them half-way).
    """
    for p in paths:
        p = Path(p)
        try:
            mode = os.lstat(p).st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode):
            shutil.rmtree(p, ignore_errors=True)
        elif stat.S_ISREG(mode):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


#: exit status after Ctrl-C (128 + SIGINT, as a shell reports a command ended by it)
EXIT_INTERRUPTED = 130


def run_guarded(main: Callable[[], None], outputs: Iterable[str | os.PathLike] = (),
                interrupted: str = "no partial output was left; run snakemake again to redo this step") -> None:
    """Run a workflow script's ``main``; on :class:`InputError` print one clear message
    (``error: <message>``, the prefix of the console scripts, see ``danqmotifs.cli``), remove the
    outputs and exit with status 1 (no traceback: the message says everything). Ctrl-C
    (KeyboardInterrupt) removes the outputs too and prints one line, ``interrupted: <interrupted>``
    (what was kept and how to go on), exiting with status 130."""
    outputs = list(outputs)
    try:
        main()
    except InputError as exc:
        remove_outputs(outputs)
        print(f"error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        remove_outputs(outputs)
        print(f"interrupted: {interrupted}", file=sys.stderr, flush=True)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BaseException:
        remove_outputs(outputs)
        raise


def require_file(path: str | os.PathLike, what: str, fix: str = "correct the path") -> Path:
    """Check that the input ``path`` is an existing file (a directory is not) before it is opened.

    Every reader calls this first, so that a missing file says ``<path>: <what> does not exist.
    Fix: <fix>.`` and a directory always says ``<path>: <what> is a directory, not a file. Fix: give
    the path of the file itself.``, never an ``IsADirectoryError`` traceback. ``what`` is a noun
    phrase (``"the VCF"``). Returns ``Path(path)``.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(path, f"{what} is a directory, not a file", "give the path of the file itself")
    if not path.is_file():
        if path.exists():          # a device, pipe or socket: readable as a stream
            return path
        raise InputError(path, f"{what} does not exist", fix)
    return path


def open_hdf5(path: str | os.PathLike, what: str, fix: str):
    """Open an input HDF5 file for reading; a missing or unreadable (e.g. truncated) file is an
    InputError saying what the file is (``what``) and how to get a good one (``fix``)."""
    import h5py

    path = require_file(path, f"the {what} file", fix)
    try:
        return h5py.File(path, "r")
    except OSError as exc:
        raise InputError(path, f"not a readable HDF5 file, perhaps truncated ({exc})", fix) from None
