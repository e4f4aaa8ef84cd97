"""Send a rule script's stdout/stderr to its snakemake log file (and keep stderr for errors)."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from pathlib import Path


class _Tee:
    """A text stream writing to several streams; the log file and the console belong to others, so
    ``close`` only flushes (TensorFlow and absl call ``close`` on sys.stderr at exit)."""

    def __init__(self, *streams):
        self.streams = list(streams)

    def write(self, s):
        for st in list(self.streams):
            try:
                st.write(s)
                st.flush()
            except OSError:          # a full disk under the log: the console still gets the text
                if len(self.streams) > 1:
                    self.streams.remove(st)
        return len(s)

    def flush(self):
        for st in self.streams:
            if not getattr(st, "closed", False):
                with contextlib.suppress(OSError):
                    st.flush()

    def isatty(self):
        return False

    def close(self):
        self.flush()

    @property
    def closed(self):
        return False

    def writable(self):
        return True


@contextlib.contextmanager
def script_logging(log_path: str | os.PathLike | None):
    """Within the block, stdout goes to the log; stderr goes to the log and the console, so the
    one-line error message of a failing rule is visible in snakemake's output and in the log."""
    if not log_path:
        yield
        return
    try:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        fh = open(log_path, "w")
    except OSError as exc:          # read-only or full results directory: say so on the console
        print(f"warning: cannot write the log {log_path} ({exc.strerror or exc}); messages go to the "
              "console only", file=sys.stderr, flush=True)
        yield
        return
    with fh:
        old_out, old_err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Tee(fh), _Tee(fh, old_err)
        try:
            yield
        except Exception:           # a crash: its traceback belongs in the rule's log too
            with contextlib.suppress(OSError):
                traceback.print_exc(file=fh)
                fh.flush()
            raise
        finally:
            sys.stdout, sys.stderr = old_out, old_err


def progress(message: str) -> None:
    """One progress line for the console and the rule's log (inside :func:`script_logging`,
    stderr goes to both; stdout to the log alone), for every step that takes more than seconds."""
    print(message, file=sys.stderr, flush=True)


#: seconds between two progress lines of a long loop (:class:`Ticker`)
PROGRESS_SECONDS = 10.0


class Ticker:
    """Progress of a loop over ``total`` items (kernels): :func:`progress` lines ``<what>: i of
    total <unit> (s)`` at most every :data:`PROGRESS_SECONDS` seconds, and one at the end, so a
    step of minutes shows it is moving.

    Call the instance with the number of items done after each item.
    """

    def __init__(self, what: str, total: int, unit: str = "kernels"):
        import time

        self._clock = time.monotonic
        self.what, self.total, self.unit = what, int(total), unit
        self.start = self.last = self._clock()

    def __call__(self, done: int) -> None:
        now = self._clock()
        if now - self.last >= PROGRESS_SECONDS or (done >= self.total and now > self.start):
            self.last = now
            progress(f"{self.what}: {done} of {self.total} {self.unit} ({now - self.start:.0f} s)")
