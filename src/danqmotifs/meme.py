"""MEME motif format (version 4), as MEME's own parser and Tomtom read it.

Rows are A, C, G, T probabilities. Identifiers are unique and contain no spaces or '='. The
background line carries the real base frequencies of the data (Tomtom takes it from the query).
Values are printed with a fixed precision and each row is renormalised so that the printed numbers
still sum to 1 within MEME's tolerance.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable

import numpy as np

from .errors import InputError, atomic_output
from .motif import Motif

_BAD_ID = re.compile(r"[\s=]")


def _fmt_row(row: np.ndarray, digits: int) -> str:
    row = np.clip(np.asarray(row, dtype=np.float64), 0.0, None)
    s = row.sum()
    row = row / s if s > 0 else np.full(4, 0.25)
    q = np.round(row, digits)
    # push the rounding residue onto the largest entry so the printed row sums to 1 exactly
    q[np.argmax(q)] += round(1.0 - q.sum(), digits)
    q = np.clip(q, 0.0, 1.0)
    return " ".join(f"{v:.{digits}f}" for v in q)


def format_meme(motifs: Iterable[Motif], background=None, strands: str = "+ -", digits: int = 6) -> str:
    """The whole MEME text for ``motifs``."""
    bg = np.full(4, 0.25) if background is None else np.asarray(background, dtype=np.float64)
    bg = bg / bg.sum()
    bgq = [float(v) for v in np.round(bg, 4)]
    bgq[int(np.argmax(bgq))] += round(1.0 - sum(bgq), 4)
    lines = ["MEME version 4", "", "ALPHABET= ACGT", "", f"strands: {strands}", "",
             "Background letter frequencies",
             " ".join(f"{b} {v:.4f}" for b, v in zip("ACGT", bgq)), ""]
    seen = set()
    for m in motifs:
        if not m.id or _BAD_ID.search(m.id):
            raise ValueError(f"motif id {m.id!r} is empty or contains spaces or '='")
        if m.id in seen:
            raise ValueError(f"duplicate motif id {m.id!r}")
        seen.add(m.id)
        name = f" {m.name}" if m.name else ""
        lines.append(f"MOTIF {m.id}{name}")
        lines.append(f"letter-probability matrix: alength= 4 w= {m.width} nsites= {int(m.nsites)} "
                     f"E= {m.evalue:g}")
        lines.extend(_fmt_row(r, digits) for r in m.pwm)
        lines.append("")
    return "\n".join(lines) + "\n"


def write_meme(path: str | os.PathLike, motifs: Iterable[Motif], background=None, **kw) -> None:
    """Write a MEME file atomically."""
    text = format_meme(list(motifs), background, **kw)
    with atomic_output(path) as tmp:
        Path(tmp).write_text(text)


def read_meme(path: str | os.PathLike) -> tuple[list[Motif], np.ndarray]:
    """Parse a MEME file: (motifs, background A,C,G,T). Raises InputError on malformed input."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "the MEME file does not exist", "correct the path")
    text = path.read_text(errors="replace")
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
        if line.startswith("Background letter frequencies"):
            toks = lines[i + 1].split() if i + 1 < len(lines) else []
            d = {toks[k]: toks[k + 1] for k in range(0, len(toks) - 1, 2)}
            try:
                bg = np.array([float(d[b]) for b in "ACGT"])
            except (KeyError, ValueError):
                raise InputError(path, f"line {i + 2}: background frequencies are not 'A x C x G x T x'",
                                 "write the four letters with their frequencies") from None
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
                nsites = int(float(kv.get("nsites", "20")))
                evalue = float(kv.get("E", "0"))
            except ValueError:
                raise InputError(path, f"line {j + 1}: bad w=, nsites= or E= value", "fix the header") from None
            rows = []
            k = j + 1
            while k < len(lines) and (w == 0 or len(rows) < w):
                s = lines[k].strip()
                if not s:
                    if w == 0 and rows:
                        break
                    k += 1
                    continue
                if s.startswith(("MOTIF", "URL")):
                    break
                try:
                    vals = [float(t) for t in s.split()]
                except ValueError:
                    raise InputError(path, f"line {k + 1}: non-numeric matrix row {s!r}",
                                     "write 4 probabilities per row") from None
                if len(vals) != 4:
                    raise InputError(path, f"line {k + 1}: {len(vals)} values in a matrix row",
                                     "write exactly 4 probabilities (A C G T) per row")
                rows.append(vals)
                k += 1
            if not rows or (w and len(rows) != w):
                raise InputError(path, f"motif {mid}: expected {w} matrix rows, found {len(rows)}",
                                 "make w= match the number of rows")
            pwm = np.array(rows)
            if (pwm < 0).any() or (pwm > 1).any():
                raise InputError(path, f"motif {mid}: probabilities outside [0, 1]", "fix the matrix")
            bad = np.flatnonzero(np.abs(pwm.sum(axis=1) - 1) > 0.1)
            if bad.size:
                raise InputError(path, f"motif {mid}: row {bad[0] + 1} sums to {pwm[bad[0]].sum():.3f}, "
                                 "not 1", "normalise every row to sum to 1")
            motifs.append(Motif(mid, pwm, name=name, nsites=nsites, evalue=evalue))
            i = k
            continue
        i += 1
    if not motifs:
        raise InputError(path, "no MOTIF entries", "add at least one motif")
    return motifs, bg
