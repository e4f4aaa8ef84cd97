"""MEME motif format (version 4), as MEME's own parser and Tomtom read it.

Rows are A, C, G, T probabilities. Identifiers are unique and contain no spaces or '='. The
background line carries the real base frequencies of the data (Tomtom takes it from the query).
Values are printed with a fixed number of decimals, rounded so that every printed row still sums to
exactly 1 (largest-remainder rounding: each printed value is within one last digit of the true one).

Besides reading and writing, this module turns a stack of kernel PWMs into motifs with unique ids
(``kernel_000`` ...), and trims low-information flanks. The k2p toolbox's dialect (unrounded rows
with significant digits, optional header, one motif read alone) is here too, for the k2p commands.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from ..core.errors import InputError, atomic_output, require_file
from ..core.motif import Motif
from ..core.pwm import column_information
from .kernel_text import format_numbers

_BAD_ID = re.compile(r"[\s=]")


def _round_to_one(row: np.ndarray, digits: int) -> np.ndarray:
    """Integers (units of 10**-digits) for a probability row, summing to exactly 10**digits.

    Largest-remainder rounding: floor every entry, then give the missing units to the entries with
    the largest remainders (ties: lowest index). Every value moves by less than one unit.
    """
    row = np.clip(np.asarray(row, dtype=np.float64), 0.0, None)
    s = row.sum()
    row = row / s if s > 0 else np.full(row.size, 1.0 / row.size)
    scale = 10 ** digits
    scaled = row * scale
    units = np.floor(scaled).astype(np.int64)
    need = int(scale - units.sum())
    if need > 0:
        order = np.argsort(-(scaled - units), kind="stable")
        units[order[:need]] += 1
    elif need < 0:  # only from floating-point noise on entries already at an integer
        order = np.argsort(-units, kind="stable")
        units[order[:-need]] -= 1
    return units


def _fmt_units(units: np.ndarray, digits: int) -> list[str]:
    scale = 10 ** digits
    return [f"{int(u) // scale}.{int(u) % scale:0{digits}d}" for u in units]


def _fmt_row(row: np.ndarray, digits: int) -> str:
    return " ".join(_fmt_units(_round_to_one(row, digits), digits))


def format_meme(motifs: Iterable[Motif], background=None, strands: str = "+ -", digits: int = 6) -> str:
    """The whole MEME text for ``motifs``.

    Parameters
    ----------
    motifs : motifs with unique ids (no spaces or '='); ``name`` becomes the alternate name.
    background : A, C, G, T frequencies (uniform if None).
    strands : the strands line ("+ -" for DNA read on both strands).
    digits : decimals printed for probabilities and background.
    """
    bg = np.full(4, 0.25) if background is None else np.asarray(background, dtype=np.float64)
    if bg.shape != (4,) or not np.all(np.isfinite(bg)) or (bg < 0).any() or bg.sum() <= 0:
        raise ValueError(f"background must be 4 non-negative frequencies, got {bg!r}")
    bgs = _fmt_units(_round_to_one(bg, digits), digits)
    lines = ["MEME version 4", "", "ALPHABET= ACGT", "", f"strands: {strands}", "",
             "Background letter frequencies",
             " ".join(f"{b} {v}" for b, v in zip("ACGT", bgs)), ""]
    seen = set()
    for m in motifs:
        if not m.id or _BAD_ID.search(m.id):
            raise ValueError(f"motif id {m.id!r} is empty or contains spaces or '='")
        if m.id in seen:
            raise ValueError(f"duplicate motif id {m.id!r}")
        if m.name and _BAD_ID.search(m.name):
            raise ValueError(f"motif {m.id}: alternate name {m.name!r} contains spaces or '='")
        if m.width == 0 or not np.all(np.isfinite(m.pwm)) or (m.pwm < 0).any():
            raise ValueError(f"motif {m.id}: PWM is empty or has negative or non-finite entries")
        if (m.pwm.sum(axis=1) <= 0).any():
            raise ValueError(f"motif {m.id}: a PWM row is all zero")
        seen.add(m.id)
        name = f" {m.name}" if m.name else ""
        lines.append(f"MOTIF {m.id}{name}")
        lines.append(f"letter-probability matrix: alength= 4 w= {m.width} nsites= {int(m.nsites)} "
                     f"E= {m.evalue:g}")
        lines.extend(_fmt_row(r, digits) for r in m.pwm)
        lines.append("")
    return "\n".join(lines) + "\n"


def write_meme(path: str | os.PathLike, motifs: Iterable[Motif], background=None, **kw) -> None:
    """Write a MEME file atomically (keyword arguments as :func:`format_meme`)."""
    text = format_meme(list(motifs), background, **kw)
    with atomic_output(path) as tmp:
        Path(tmp).write_text(text)


def parse_matrix_rows(lines: Sequence[str], start: int, width: int, where,
                      skip_text: bool = False, motif: str | None = None) -> tuple[list[list[float]], int]:
    """The rows of a letter-probability matrix (4 numbers, A C G T) from ``lines[start:]``.

    Reading stops after ``width`` rows (0: at the first blank line after a row), at a ``MOTIF`` or
    ``URL`` line, or at the end. Other blank lines are skipped. Numeric rows after the ``width``-th
    (blank lines between them skipped), or with ``width`` 0 after the blank line that ended the
    matrix (a bare matrix with a blank line inside), are an error, never silently dropped; fewer
    rows than ``width`` are an error too.

    Parameters
    ----------
    lines : the text's lines.
    start : index of the first line to read.
    width : rows expected (the header's ``w=``), 0 if unknown.
    where : the file named in errors.
    skip_text : skip lines that are not numbers (a bare matrix among other text) instead of
        raising.
    motif : the motif's id, named in errors.

    Returns
    -------
    rows : list of rows of 4 floats.
    stop : index of the first line not read.

    Raises
    ------
    InputError
        A row without exactly 4 numbers (or, without ``skip_text``, a non-numeric line); a row count
        other than ``width``.
    """
    label = f"motif {motif}: " if motif else ""
    rows = []
    k = start
    while k < len(lines) and (width == 0 or len(rows) < width):
        s = lines[k].strip()
        if not s:
            if width == 0 and rows:
                break
            k += 1
            continue
        if s.startswith(("MOTIF", "URL")):
            break
        try:
            vals = [float(t) for t in s.split()]
        except ValueError:
            if skip_text:
                k += 1
                continue
            raise InputError(where, f"{label}line {k + 1}: non-numeric matrix row {s!r}",
                             "write 4 probabilities per row") from None
        if len(vals) != 4:
            raise InputError(where, f"{label}line {k + 1}: {len(vals)} values in a matrix row",
                             "write exactly 4 probabilities (A C G T) per row")
        rows.append(vals)
        k += 1
    if width and len(rows) < width:
        raise InputError(where, f"{label}expected {width} matrix rows, found {len(rows)} (w= {width}; line {k + 1}: "
                         f"{'end of file' if k >= len(lines) else repr(lines[k].strip()[:40])})",
                         "make w= match the number of matrix rows")
    if width or rows:
        extra = _next_numeric_line(lines, k)
        if extra is not None:
            if width:
                raise InputError(where, f"{label}w= {width} but more matrix rows follow (line {extra + 1}: "
                                 f"{lines[extra].strip()[:40]!r})", "make w= match the number of matrix rows")
            raise InputError(where, f"{label}a blank line (line {k + 1}) after {len(rows)} matrix rows, but "
                             f"more rows follow (line {extra + 1}: {lines[extra].strip()[:40]!r}); a blank "
                             "line ends a matrix", "remove the blank line inside the matrix, or the rows "
                             "after it if they are not part of it")
    return rows, k


def _next_numeric_line(lines: Sequence[str], k: int) -> int | None:
    """Index of the first non-blank line from ``k`` if it is a row of numbers, else None."""
    while k < len(lines) and not lines[k].strip():
        k += 1
    if k >= len(lines):
        return None
    try:
        [float(t) for t in lines[k].split()]
    except ValueError:
        return None
    return k


def _read_text(path: Path) -> str:
    """A text file's content, gunzipped when it is gzip (by its magic bytes), without a BOM."""
    import gzip

    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    try:
        data = gzip.decompress(path.read_bytes()) if gz else path.read_bytes()
    except (OSError, EOFError) as exc:
        raise InputError(path, f"cannot decompress the file ({exc})",
                         "give a complete .gz file or the plain MEME file") from None
    return data.decode("utf-8-sig", errors="replace")


def read_meme(path: str | os.PathLike) -> tuple[list[Motif], np.ndarray]:
    """Parse a MEME file: (motifs, background A,C,G,T). Raises InputError on malformed input.

    Checked: a 'MEME version' line, a DNA alphabet, unique ids, 4 numeric values per row, w= equal
    to the number of rows, entries in [0, 1] and rows summing to 1 +/- 0.1 (MEME's own tolerance).
    """
    path = Path(path)
    require_file(path, "the MEME file", "correct the path")
    text = _read_text(path)
    lines = text.splitlines()
    if not any(l.strip().startswith("MEME version") for l in lines):
        raise InputError(path, "no 'MEME version' line: not a MEME motif file",
                         "start the file with 'MEME version 4' (see the MEME motif format)")
    bg = np.full(4, 0.25)
    motifs: list[Motif] = []
    ids = set()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("ALPHABET"):
            alpha = line.split("=", 1)[1].strip() if "=" in line else line.split(None, 1)[-1].strip()
            if alpha.upper() not in ("ACGT", '"DNA" DNA-LIKE'):
                raise InputError(path, f"line {i + 1}: alphabet {alpha!r} is not DNA (ACGT)",
                                 "use DNA motifs with 'ALPHABET= ACGT'")
        if line.startswith("Background letter frequencies"):
            toks = lines[i + 1].split() if i + 1 < len(lines) else []
            d = {toks[k]: toks[k + 1] for k in range(0, len(toks) - 1, 2)}
            try:
                bg = np.array([float(d[b]) for b in "ACGT"])
            except (KeyError, ValueError):
                raise InputError(path, f"line {i + 2}: background frequencies are not 'A x C x G x T x'",
                                 "write the four letters with their frequencies") from None
            if (bg < 0).any() or abs(bg.sum() - 1) > 0.1:
                raise InputError(path, f"line {i + 2}: background frequencies are negative or do not "
                                 "sum to 1", "write four frequencies summing to 1")
            i += 2
            continue
        if line.startswith("MOTIF"):
            parts = line.split()
            if len(parts) < 2:
                raise InputError(path, f"line {i + 1}: MOTIF without an identifier", "name every motif")
            mid, name = parts[1], " ".join(parts[2:])
            if mid in ids:
                raise InputError(path, f"line {i + 1}: duplicate motif id {mid!r}", "make every id unique")
            ids.add(mid)
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith("letter-probability"):
                if lines[j].strip().startswith("MOTIF"):
                    break
                j += 1
            if j >= len(lines) or not lines[j].strip().startswith("letter-probability"):
                raise InputError(path, f"motif {mid}: no 'letter-probability matrix' line",
                                 "give each motif a letter-probability matrix")
            header = lines[j]
            kv = dict(re.findall(r"(\w+)=\s*(\S+)", header))
            try:
                w = int(kv.get("w", "0"))
                alength = int(kv.get("alength", "4"))
                nsites = int(float(kv.get("nsites", "20")))
                evalue = float(kv.get("E", "0"))
            except ValueError:
                raise InputError(path, f"line {j + 1}: bad alength=, w=, nsites= or E= value",
                                 "fix the header") from None
            if alength != 4:
                raise InputError(path, f"line {j + 1}: alength= {alength}, not 4",
                                 "use DNA motifs (4 letters, A C G T)")
            rows, k = parse_matrix_rows(lines, j + 1, w, path, motif=mid)
            if not rows:
                raise InputError(path, f"motif {mid}: no matrix rows after line {j + 1}",
                                 "write the matrix, one row of 4 probabilities per position")
            pwm = np.array(rows)
            if not np.all(np.isfinite(pwm)) or (pwm < 0).any() or (pwm > 1).any():
                raise InputError(path, f"motif {mid}: probabilities outside [0, 1]", "fix the matrix")
            bad = np.flatnonzero(np.abs(pwm.sum(axis=1) - 1) > 0.1)
            if bad.size:
                raise InputError(path, f"motif {mid}: row {bad[0] + 1} sums to {pwm[bad[0]].sum():.3f}, "
                                 "not 1", "normalise every row to sum to 1")
            motifs.append(Motif(mid, pwm, name=name, nsites=nsites, evalue=evalue,
                                extra={"source": str(path), "line": j + 1}))
            i = k
            continue
        i += 1
    if not motifs:
        raise InputError(path, "no MOTIF entries", "add at least one motif")
    return motifs, bg


# --- the k2p toolbox's dialect (kernel2pwm, pwm2kernel) -----------------------------------------

#: the MEME header the k2p toolbox writes (``--use-meme-header``): uniform background
K2P_HEADER = ("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\n"
              "Background letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n")


def format_k2p_meme(pwms, names, header: bool, matrix_only: bool, digits: int, nsites=None) -> str:
    """PWMs as the k2p toolbox writes them: rows printed unrounded with ``digits`` significant
    digits (so not forced to sum to 1, unlike :func:`format_meme`), ``nsites`` 20 unless given,
    ``E= 0``; the header (:data:`K2P_HEADER`) only with ``header``; ``matrix_only``: the rows alone."""
    out = []
    if header and not matrix_only:
        out.append(K2P_HEADER)
    for k, (P, name) in enumerate(zip(pwms, names)):
        if not matrix_only:
            ns = 20 if nsites is None else int(nsites[k])
            out.append(f"MOTIF {name}\nletter-probability matrix: alength= 4 w= {P.shape[0]} "
                       f"nsites= {ns} E= 0\n")
        for row in P:
            out.append(format_numbers(row, digits) + "\n")
        if not matrix_only:
            out.append("\n")
    return "".join(out)


def parse_single_pwm(text: str, where, warn: Callable[[str], None] | None = None) -> np.ndarray:
    """The one PWM of a MEME file (header optional, as k2p writes it) or of a bare matrix.

    Rows that do not sum to 1 (within 1e-4) are used as given, and said through ``warn``."""
    lines = text.splitlines()
    starts = [i for i, l in enumerate(lines) if l.strip().startswith("letter-probability")]
    if len(starts) > 1:
        raise InputError(where, f"the file holds {len(starts)} motifs; this tool converts one",
                         "split the file into one MEME file per motif")
    if starts:
        w = re.search(r"\bw=\s*(\d+)", lines[starts[0]])
        width = int(w.group(1)) if w else None
    else:
        width = None
    rows, _ = parse_matrix_rows(lines, starts[0] + 1 if starts else 0, width or 0, where,
                                skip_text=not starts)
    if not rows:
        raise InputError(where, "no letter-probability matrix found",
                         "give a MEME motif file with one motif (or a bare L x 4 matrix)")
    P = np.array(rows)
    if width and P.shape[0] != width:
        raise InputError(where, f"w= {width} but {P.shape[0]} matrix rows", "make w= match the rows")
    if not np.all(np.isfinite(P)) or (P < 0).any() or (P > 1).any():
        raise InputError(where, "matrix entries outside [0, 1]: not probabilities", "give a probability matrix")
    s = P.sum(axis=1)
    if (s == 0).any():
        raise InputError(where, f"row {int(np.flatnonzero(s == 0)[0]) + 1} is all zeros", "give rows summing to 1")
    if (np.abs(s - 1) > 1e-4).any() and warn is not None:
        warn(f"{where}: some rows do not sum to 1 (worst {s[np.argmax(np.abs(s - 1))]:.6f}); used as given")
    return P


# --- kernel motifs ----------------------------------------------------------------------------

def kernel_ids(n: int) -> list[str]:
    """``kernel_000`` ... ``kernel_{n-1}``: zero-padded to at least 3 digits, sorting in order."""
    width = max(3, len(str(max(n - 1, 0))))
    return [f"kernel_{k:0{width}d}" for k in range(n)]


def kernel_motifs(pwms: np.ndarray, nsites: Sequence[int], method: str,
                  keep: np.ndarray | None = None) -> list[Motif]:
    """One motif per kernel of a (K, L, 4) PWM stack.

    Parameters
    ----------
    pwms : (K, L, 4) probabilities, A, C, G, T.
    nsites : (K,) sites behind each PWM (written as nsites=).
    method : alternate name of every motif (e.g. "exact", "heuristic").
    keep : optional (K,) bool; kernels with False get no motif (ids of the others do not change).
    """
    pwms = np.asarray(pwms, dtype=np.float64)
    if pwms.ndim != 3 or pwms.shape[2] != 4:
        raise ValueError(f"PWM stack must be (K, L, 4), got {pwms.shape}")
    nsites = np.asarray(nsites).reshape(-1)
    if nsites.size != pwms.shape[0]:
        raise ValueError(f"nsites has {nsites.size} entries for {pwms.shape[0]} kernels")
    keep = np.ones(pwms.shape[0], bool) if keep is None else np.asarray(keep, bool)
    ids = kernel_ids(pwms.shape[0])
    return [Motif(ids[k], pwms[k], name=method, nsites=int(nsites[k]), extra={"kernel": k})
            for k in range(pwms.shape[0]) if keep[k]]


def trim_span(ic: np.ndarray, min_ic: float, min_width: int) -> tuple[int, int]:
    """[start, stop) keeping the columns from the first to the last with ``ic >= min_ic``.

    A span narrower than ``min_width`` grows one column at a time towards the more informative
    neighbour (on ties, towards the side with more columns left, then left) until it is
    ``min_width`` wide or covers everything; with no column above ``min_ic`` the seed is the most
    informative column.
    """
    ic = np.asarray(ic, dtype=np.float64)
    n = ic.size
    above = np.flatnonzero(ic >= min_ic)
    if above.size:
        start, stop = int(above[0]), int(above[-1]) + 1
    else:
        start = int(np.argmax(ic))
        stop = start + 1
    while stop - start < min(min_width, n):
        left = ic[start - 1] if start > 0 else -np.inf
        right = ic[stop] if stop < n else -np.inf
        if left > right or (left == right and start >= n - stop):
            start -= 1
        else:
            stop += 1
    return start, stop


def trim_motif(m: Motif, min_ic: float, min_width: int, background=None) -> Motif:
    """The motif without its low-information flanks (see :func:`trim_span`).

    ``extra["trim"]`` holds (start, stop) in the untrimmed motif's columns.
    """
    start, stop = trim_span(column_information(m.pwm, background), min_ic, min_width)
    extra = dict(m.extra, trim=(start, stop))
    return Motif(m.id, m.pwm[start:stop].copy(), m.name, m.nsites, m.evalue, extra)


def reverse_complement_motifs(motifs: Iterable[Motif], suffix: str = "_rc") -> list[Motif]:
    """Reverse complements, ids suffixed (so that they can share a file with the originals)."""
    out = []
    for m in motifs:
        rc = m.reverse_complement()
        rc.id = f"{m.id}{suffix}"
        out.append(rc)
    return out
