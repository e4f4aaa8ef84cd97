"""A FASTA of sequences plus a TSV of their labels, converted to the data layout.

FASTA: read by :mod:`danqmotifs.formats.fasta` (plain or gzipped, lowercase accepted, N is N, any
other letter an error naming the record).

Labels: a tab-separated table with a header line ``id <target 1> <target 2> ...`` and one row
per record, values 0 or 1. Every record needs exactly one row and every row a record.

Lengths: with ``resize="none"`` every record must have the same length (``length`` if it is > 0);
``center`` trims or pads with N around the centre, ``left`` keeps the start and pads at the end.

Splits: ``fraction`` (a seeded random choice of exactly round(n * fraction) records),
``ids`` (held-out record ids) or ``chrom`` (held-out chromosomes, the id prefix before ':').
Within a split records keep their file order. The file is read twice (check, then write), so
memory holds the ids and labels, never all sequences.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.alphabet import encode
from ..core.errors import InputError, require_file
from ..formats.fasta import RESIZE, encode_record, is_gzip, iter_fasta, iter_lines, open_text, resize_codes
from .datafile import SPLITS, DataWriter

_BLOCK = 4096

def read_labels(path: str | os.PathLike) -> tuple[list[str], list[str], np.ndarray]:
    """(target names, record ids, labels (n, T) uint8) from a TSV with a header line."""
    import pandas as pd

    path = Path(path)
    require_file(path, "the labels file", "correct data.fasta.labels")
    with open_text(path) as fh:
        header = next(iter_lines(fh), b"").decode("utf-8", "replace").rstrip("\r\n").lstrip("#").split("\t")
    if len(header) < 2:
        raise InputError(path, "the header line has fewer than 2 tab-separated columns",
                         "start the file with a header line: id<TAB>name1<TAB>name2 and so on, one name per target")
    names = [h.strip() for h in header[1:]]
    if all(n in ("0", "1") for n in names):
        raise InputError(path, "the first line looks like data, not a header",
                         "add a header line: id<TAB>name1<TAB>name2 and so on, one name per target")
    if any(not n for n in names) or len(set(names)) != len(names):
        raise InputError(path, "target names in the header must be non-empty and unique",
                         "name every label column once")
    dtypes = {0: str} | {i: "uint8" for i in range(1, len(header))}
    try:
        df = pd.read_csv(path, sep="\t", header=None, skiprows=1, dtype=dtypes, na_filter=True,
                         keep_default_na=False, na_values=[""], skip_blank_lines=True, engine="c",
                         compression="gzip" if is_gzip(path) else None)
    except (ValueError, pd.errors.ParserError) as exc:
        bad = _first_bad_label_line(path, len(header))
        if bad:
            raise InputError(path, bad, "give one row per record: the id, then one 0 or 1 per target, "
                             "tab-separated, as many columns as the header (no comment lines after "
                             "the header)") from None
        raise InputError(path, f"cannot parse the labels ({str(exc).splitlines()[0]})",
                         "give one row per record: the id, then one 0/1 per target, tab-separated, "
                         "as many columns as the header") from None
    if df.shape[1] != len(header):
        raise InputError(path, f"rows have {df.shape[1]} columns, the header {len(header)}",
                         "give every row the id plus one value per target")
    ids = df[0].astype(str).str.strip().tolist()
    y = df.iloc[:, 1:].to_numpy(dtype=np.uint8)
    if y.size and y.max() > 1:
        r, c = np.argwhere(y > 1)[0]
        raise InputError(path, f"record '{ids[r]}', target '{names[c]}': the value {y[r, c]}",
                         "labels must be 0 or 1")
    if len(set(ids)) != len(ids):
        seen, dup = set(), None
        for i in ids:
            if i in seen:
                dup = i
                break
            seen.add(i)
        raise InputError(path, f"record '{dup}' has more than one label row", "give each id one row")
    return names, ids, y


def _first_bad_label_line(path: Path, n_cols: int) -> str | None:
    """What is wrong with the first label row that is not an id and ``n_cols - 1`` values 0 or 1."""
    with open_text(path) as fh:
        for i, raw in enumerate(iter_lines(fh), 1):
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            if i == 1 or not text.strip():
                continue
            fields = text.split("\t")
            short = text if len(text) <= 50 else text[:47] + "..."
            if text.startswith("#"):
                return f"line {i} ({short!r}) is a comment line among the label rows"
            if len(fields) != n_cols:
                return f"line {i} ({short!r}) has {len(fields)} tab-separated columns, the header {n_cols}"
            wrong = next((v for v in fields[1:] if v.strip() not in ("0", "1")), None)
            if wrong is not None:
                return f"line {i} ({short!r}): the label {wrong!r} is not 0 or 1"
    return None


@dataclass
class FastaPlan:
    """What the first pass learned: ids in file order, their split and label row, the length."""
    ids: list[str]
    split_of: np.ndarray             # (n,) index into SPLITS
    label_rows: np.ndarray           # (n,) row of each record in the labels table
    length: int
    counts: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def chrom_of(rid: str) -> str:
    """The chromosome of an id such as ``chr1:100-1100`` (the part before ':')."""
    return rid.split(":", 1)[0]


def assign_splits(ids: list[str], split_by: str, valid: list[str], test: list[str],
                  valid_fraction: float, test_fraction: float, seed: int, where: str,
                  notes: list[str] | None = None, held_keys: str = "ids") -> np.ndarray:
    """Split index (0 train, 1 valid, 2 test) of each id; every split must be non-empty.
    Remarks that are not errors (a held-out chromosome without records) go to ``notes``.
    ``held_keys`` is how the config names the held-out lists: ``<where>.valid_<held_keys>`` and
    ``test_<held_keys>`` (ids for the FASTA source, chroms for the peaks source)."""
    n = len(ids)
    split = np.zeros(n, dtype=np.int8)
    if split_by == "fraction":
        if valid or test:
            raise InputError(f"{where}.valid_{held_keys}/test_{held_keys}", "held-out lists are given but split_by is "
                             "'fraction'", "set split_by: ids or chrom, or empty the lists")
        if valid_fraction + test_fraction >= 1:
            raise InputError(f"{where}.valid_fraction/test_fraction", "they add up to 1 or more, "
                             "leaving nothing to train on", "lower them")
        n_test, n_valid = round(n * test_fraction), round(n * valid_fraction)
        perm = np.random.default_rng(np.random.SeedSequence([seed, 0xFA57A])).permutation(n)
        split[perm[:n_test]] = 2
        split[perm[n_test:n_test + n_valid]] = 1
    elif split_by in ("ids", "chrom"):
        overlap = sorted(set(valid) & set(test))
        if overlap:
            raise InputError(f"{where}.valid_{held_keys}/test_{held_keys}", f"{', '.join(overlap[:5])} listed as both "
                             "validation and test", "hold each out once")
        keys = ids if split_by == "ids" else [chrom_of(i) for i in ids]
        known = set(keys)
        if split_by == "ids":
            missing = [i for i in valid + test if i not in known]
            if missing:
                raise InputError(f"{where}.valid_{held_keys}/test_{held_keys}", f"{len(missing)} held-out id(s) are not "
                                 f"records of the FASTA, e.g. '{missing[0]}'", "list ids of FASTA records")
        v, t = set(valid), set(test)
        split = np.array([2 if k in t else 1 if k in v else 0 for k in keys], dtype=np.int8)
        absent = [c for c in valid + test if c not in known]
        if absent and notes is not None:
            notes.append(f"held-out chromosome(s) without records: {', '.join(absent)}")
    else:
        raise ValueError(f"unknown split_by {split_by!r}")
    for s, name in enumerate(SPLITS):
        if not np.any(split == s):
            how = {"fraction": f"{name}_fraction" if name != "train" else "valid/test fractions",
                   "ids": f"{name}_{held_keys}", "chrom": f"{name}_{held_keys}"
                   + (" (chromosomes)" if held_keys == "ids" else "")}[split_by]
            raise InputError(f"{where}.{how}", f"the {name} split would be empty ({n} records, "
                             f"split by {split_by})", f"choose {how} so that every split gets records")
    return split


def plan_fasta(fasta: str | os.PathLike, label_ids: list[str], length: int, resize: str,
               split_by: str, valid_ids: list[str], test_ids: list[str], valid_fraction: float,
               test_fraction: float, seed: int, labels_path: str | os.PathLike,
               where: str = "data.fasta") -> FastaPlan:
    """First pass: check every record (letters, lengths, labels) and decide the splits."""
    fasta = Path(fasta)
    require_file(fasta, "the FASTA file", f"correct {where}.fasta")
    if resize not in RESIZE:
        raise ValueError(f"resize must be one of {RESIZE}")
    if resize != "none" and length <= 0:
        raise InputError(f"{where}.length", f"resize '{resize}' needs a target length", "set length > 0")
    row_of = {rid: r for r, rid in enumerate(label_ids)}
    ids, rows, seen = [], [], set()
    fixed = length if length > 0 else None
    for rid, raw, line in iter_fasta(fasta):
        if rid in seen:
            raise InputError(fasta, f"record id '{rid}' (line {line}) appears twice", "make record ids unique")
        seen.add(rid)
        codes = encode_record(fasta, rid, raw)
        if codes.size == 0:
            raise InputError(fasta, f"record '{rid}' (line {line}) has no sequence", "remove it or add its sequence")
        if resize == "none":
            if fixed is None:
                fixed = codes.size
            elif codes.size != fixed:
                first = f"the first record's {fixed}" if length <= 0 else f"data.fasta.length {fixed}"
                raise InputError(fasta, f"record '{rid}' (line {line}) is {codes.size} bp, unlike {first} bp",
                                 f"give sequences of one length, or set {where}.resize to center or left "
                                 f"and {where}.length to the length wanted")
        if rid not in row_of:
            raise InputError(labels_path, f"record '{rid}' of {fasta} has no label row",
                             "add a row for it (or remove the record from the FASTA)")
        ids.append(rid)
        rows.append(row_of[rid])
    if not ids:
        raise InputError(fasta, "the FASTA holds no records", "give a FASTA with at least one '>id' record")
    if len(ids) != len(label_ids):
        extra = next(i for i in label_ids if i not in seen)
        raise InputError(labels_path, f"the label row '{extra}' names no record of {fasta} "
                         f"({len(label_ids) - len(ids)} such row(s))", "remove rows of records not in the FASTA")
    notes: list[str] = []
    split = assign_splits(ids, split_by, list(valid_ids), list(test_ids), valid_fraction,
                          test_fraction, seed, where, notes)
    return FastaPlan(ids, split, np.asarray(rows, dtype=np.int64), int(fixed if resize == "none" else length),
                     {s: int(np.sum(split == i)) for i, s in enumerate(SPLITS)}, notes)


def convert_fasta(fasta: str | os.PathLike, labels: str | os.PathLike, outputs: dict[str, str | os.PathLike],
                  length: int = 0, resize: str = "none", split_by: str = "fraction",
                  valid_ids=(), test_ids=(), valid_fraction: float = 0.05, test_fraction: float = 0.05,
                  seed: int = 1, where: str = "data.fasta") -> FastaPlan:
    """Check the FASTA and labels, then write the three splits (ids stored). Returns the plan."""
    names, label_ids, y = read_labels(labels)
    plan = plan_fasta(fasta, label_ids, length, resize, split_by, list(valid_ids), list(test_ids),
                      valid_fraction, test_fraction, seed, labels, where)
    attrs = {"resize": resize, "split_by": split_by}
    writers = {s: DataWriter(outputs[s], plan.length, names, "fasta", s, with_ids=True, attrs=attrs)
               for s in SPLITS}
    buffers = {s: ([], [], []) for s in SPLITS}

    def flush(s):
        codes, rows, ids = buffers[s]
        if codes:
            writers[s].append(np.stack(codes), y[np.asarray(rows)], ids)
            buffers[s] = ([], [], [])

    from contextlib import ExitStack

    with ExitStack() as stack:
        for w in writers.values():
            stack.enter_context(w)
        for k, (rid, raw, _line) in enumerate(iter_fasta(fasta)):
            s = SPLITS[plan.split_of[k]]
            codes = resize_codes(encode(raw), plan.length, resize)
            buf = buffers[s]
            buf[0].append(codes)
            buf[1].append(plan.label_rows[k])
            buf[2].append(rid)
            if len(buf[0]) >= _BLOCK:
                flush(s)
        for s in SPLITS:
            flush(s)
    return plan
