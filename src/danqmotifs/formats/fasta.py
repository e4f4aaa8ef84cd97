"""FASTA files: records read one at a time, their letters encoded, their lengths made to fit.

Plain or gzipped (recognised by its first bytes, not its name), LF, CRLF or CR-only line endings,
a leading byte-order mark skipped,
lowercase (soft-masked) bases are ordinary bases, N is N, any other letter is an InputError naming
the record. A record id is the first word of its header line. Read by the FASTA and BED training
data sources (``danqmotifs.sources``) and by prediction (``danqmotifs.model.predict``).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import IO, Iterator

import numpy as np

from ..core.alphabet import N_CODE, encode
from ..core.errors import InputError, require_file

#: how records of another length are made to fit (formats.fasta.resize_codes)
RESIZE = ("none", "center", "left")


def is_gzip(path: str | os.PathLike) -> bool:
    """Whether a file starts with the gzip magic bytes (a directory is an InputError)."""
    require_file(path, "the input file")
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def open_text(path: str | os.PathLike) -> IO[bytes]:
    """The file opened for reading bytes, through gzip when it is gzipped (whatever its name)."""
    return gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")


def iter_lines(fh) -> Iterator[bytes]:
    """Lines of a binary file split at LF, CRLF or a lone CR, without a leading byte-order mark."""
    first = True
    for raw in fh:
        if first:
            raw, first = raw.removeprefix(b"\xef\xbb\xbf"), False
        body = raw.rstrip(b"\r\n")
        if b"\r" in body:
            yield from (part + b"\n" for part in body.split(b"\r"))
        else:
            yield raw


def iter_fasta(path: str | os.PathLike) -> Iterator[tuple[str, bytes, int]]:
    """(id, raw sequence bytes, header line number) per record; whitespace and '\\r' removed.
    Lines may end in LF, CRLF or CR alone (old Mac files); a byte-order mark is skipped."""
    path = Path(path)
    rid, parts, line_no = None, [], 0
    try:
        with open_text(path) as fh:
            for i, line in enumerate(iter_lines(fh), 1):
                if line.startswith(b">"):
                    if rid is not None:
                        yield rid, b"".join(parts), line_no
                    words = line[1:].split()
                    if not words:
                        raise InputError(path, f"line {i}: a header line without an id",
                                         "give every record an id after '>'")
                    rid, parts, line_no = words[0].decode("utf-8", "replace"), [], i
                elif line.startswith(b";"):
                    continue
                else:
                    seq = b"".join(line.split())
                    if seq and rid is None:
                        raise InputError(path, f"line {i}: sequence before the first '>' header",
                                         "start the file with a '>id' header line (is it a FASTA?)")
                    parts.append(seq)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(path, f"cannot read the file ({exc})", "check that it is a complete FASTA or .fa.gz") from None
    if rid is not None:
        yield rid, b"".join(parts), line_no


def encode_record(path, rid: str, raw: bytes) -> np.ndarray:
    """Codes of one record; a letter other than A, C, G, T, N (any case) is an InputError."""
    try:
        return encode(raw)
    except ValueError as exc:
        raise InputError(path, f"record '{rid}': {exc}",
                         "use only A, C, G, T and N (replace ambiguity codes by N)") from None


def resize_codes(codes: np.ndarray, length: int, mode: str) -> np.ndarray:
    """Trim or pad (with N) one sequence to ``length``: around the centre (``center``) or keeping
    the start (``left``). Centre trimming drops floor(excess / 2) bases at the start; centre
    padding puts floor(missing / 2) N before the sequence."""
    n = codes.shape[0]
    if n == length:
        return codes
    if mode == "left":
        out = np.full(length, N_CODE, dtype=np.uint8)
        out[:min(n, length)] = codes[:length]
        return out
    if mode == "center":
        if n > length:
            s = (n - length) // 2
            return codes[s:s + length]
        out = np.full(length, N_CODE, dtype=np.uint8)
        s = (length - n) // 2
        out[s:s + n] = codes
        return out
    raise ValueError(f"unknown resize mode {mode!r}")
