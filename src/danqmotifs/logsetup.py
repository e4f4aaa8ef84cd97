"""Send a rule script's stdout/stderr to its snakemake log file (and keep stderr for errors)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path


class _Tee:
    """A text stream writing to several streams; the log file and the console belong to others, so
    ``close`` only flushes (TensorFlow and absl call ``close`` on sys.stderr at exit)."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, s):
        for st in self.streams:
            st.write(s)
            st.flush()
        return len(s)

    def flush(self):
        for st in self.streams:
            if not getattr(st, "closed", False):
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
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as fh:
        old_out, old_err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Tee(fh), _Tee(fh, old_err)
        try:
            yield
        finally:
            sys.stdout, sys.stderr = old_out, old_err
