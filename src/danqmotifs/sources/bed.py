"""Regions of a BED file with label columns, cut from a genome FASTA, converted to the data layout.

BED: tab-separated ``chrom start end label1 label2 ...`` (0-based, end exclusive), labels 0 or 1.
A header line ``#chrom start end name1 name2 ...`` names the targets (else ``target_0000`` ...;
the first three may be spelled ``chr``/``chromosome``, ``chromStart``, ``chromEnd`` ...);
other lines starting with '#', ``track`` or ``browser`` are skipped. Plain or gzipped.

Each region gives one window of ``width`` bp centred on the region's centre
(start = (region start + region end) // 2 - width // 2), read from the genome with pyfaidx; its id
is ``chrom:start-end`` of the window. Soft-masked (lowercase) bases are ordinary bases; IUPAC
ambiguity codes in the genome become N; any other letter is an error. A region or window that
runs past a chromosome end, and a chromosome the genome lacks, are errors naming the BED line.

Splits by chromosome as DeepSEA: ``test_chroms`` (default chr8, chr9), ``valid_chroms``, the rest
train; no split may be empty. Within a split regions keep their BED order.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.alphabet import encode, encode_genome
from ..core.errors import InputError, require_file
from ..formats.fasta import iter_lines, open_text
from .datafile import SPLITS, DataWriter

_BLOCK = 4096


@dataclass
class BedRegions:
    """Parsed BED: one entry per region, in file order."""
    target_names: list[str]
    chroms: list[str]
    starts: np.ndarray       # (n,) int64
    ends: np.ndarray         # (n,) int64
    lines: np.ndarray        # (n,) line number in the BED
    labels: np.ndarray       # (n, T) uint8
    texts: list[str] = field(default_factory=list)   # the lines (shortened) for messages


def _bad_line(path, i: int, text: str, problem: str, fix: str) -> InputError:
    short = text if len(text) <= 60 else text[:57] + "..."
    return InputError(path, f"line {i} ('{short}'): {problem}", fix)


#: first fields of a header line (after '#'), and the start/end column names that also mark one
HEADER_CHROM = ("chrom", "chr", "chromosome", "seqname", "seqnames", "seqid")
HEADER_START_END = ({"start", "chromstart", "chrom_start", "begin"}, {"end", "chromend", "chrom_end", "stop"})


def _is_header(fields: list[str]) -> bool:
    """A header line's fields (after '#'): ``chrom start end name1 ...`` with the usual spellings
    of the first three (``chr``, ``chromosome``, ``chromStart`` ...); a comment otherwise."""
    f = [x.strip().lower() for x in fields]
    if len(f) < 3:
        return False
    return f[0] in HEADER_CHROM or (f[1] in HEADER_START_END[0] and f[2] in HEADER_START_END[1])


def read_bed(path: str | os.PathLike) -> BedRegions:
    """Read and check a labelled BED (see the module docstring)."""
    path = Path(path)
    require_file(path, "the BED file", "correct data.bed.bed")
    names: list[str] | None = None
    chroms, starts, ends, lines, rows, texts = [], [], [], [], [], []
    n_labels = None
    fmt = "chrom<TAB>start<TAB>end<TAB>one 0/1 column per target"
    with open_text(path) as fh:
        for i, raw in enumerate(iter_lines(fh), 1):
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not text.strip():
                continue
            if text.startswith("#"):
                fields = text[1:].split("\t") if "\t" in text else text[1:].split()
                if names is None and not chroms and _is_header(fields):
                    names = [f.strip() for f in fields[3:]]
                    if not names or any(not n for n in names) or len(set(names)) != len(names):
                        raise _bad_line(path, i, text, "the header must name each label column once",
                                        "write the header as #chrom<TAB>start<TAB>end<TAB>name1<TAB>name2 and so on")
                    n_labels = len(names)
                continue
            if text.startswith(("track", "browser")):
                continue
            fields = text.split("\t") if "\t" in text else text.split()
            if len(fields) < 4:
                raise _bad_line(path, i, text, f"{len(fields)} columns; labels are missing",
                                f"give every region the columns {fmt}")
            try:
                s, e = int(fields[1]), int(fields[2])
            except ValueError:
                if not chroms and _is_header(fields):
                    raise _bad_line(path, i, text, "a header line without '#' (start and end are not integers)",
                                    "start the header with '#': #chrom<TAB>start<TAB>end<TAB>name1 ...") from None
                raise _bad_line(path, i, text, "start and end must be integers", f"give the columns {fmt}") from None
            if e > 2**62:
                raise _bad_line(path, i, text, f"the end {e} is beyond any chromosome",
                                "give 0-based coordinates within the genome")
            if s < 0 or e <= s:
                raise _bad_line(path, i, text, f"the region {s}-{e} is empty or negative",
                                "give 0-based starts and ends with start < end")
            lab = fields[3:]
            if n_labels is None:
                n_labels = len(lab)
            if len(lab) != n_labels:
                raise _bad_line(path, i, text, f"{len(lab)} label columns where {n_labels} were expected",
                                "give every region one 0/1 value per target (as many as the header names)")
            if not set(lab) <= {"0", "1"}:
                bad = next(v for v in lab if v not in ("0", "1"))
                raise _bad_line(path, i, text, f"the label value '{bad}' is not 0 or 1",
                                f"give the columns {fmt} (names, scores or strands do not belong here)")
            chroms.append(fields[0])
            starts.append(s)
            ends.append(e)
            lines.append(i)
            rows.append(np.frombuffer("".join(lab).encode("ascii"), dtype=np.uint8) - ord("0"))
            texts.append(text if len(text) <= 60 else text[:57] + "...")
    if not chroms:
        raise InputError(path, "the BED holds no regions", f"give at least one line: {fmt}")
    if names is None:
        names = [f"target_{k:04d}" for k in range(n_labels)]
    return BedRegions(names, chroms, np.asarray(starts, np.int64), np.asarray(ends, np.int64),
                      np.asarray(lines, np.int64), np.stack(rows).astype(np.uint8), texts)


def center_windows(starts: np.ndarray, ends: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows of ``width`` bp centred on each region: start = (s + e) // 2 - width // 2."""
    ws = (np.asarray(starts) + np.asarray(ends)) // 2 - width // 2
    return ws, ws + width


def fai_matches(fasta: str | os.PathLike, fai: str | os.PathLike) -> bool:
    """Whether a samtools/pyfaidx ``.fai`` index describes this FASTA: every record's header sits
    just before its offset and names it, its last base ends at the next header (or the end of the
    file), and the records cover the whole file. A bgzip-compressed FASTA is never trusted (its
    offsets are in the uncompressed bytes): False, so the index is rebuilt.
    """
    fasta = Path(fasta)
    if fasta.suffix == ".gz":
        return False
    size = fasta.stat().st_size
    try:
        rows = [line.rstrip("\n").split("\t") for line in Path(fai).read_text().splitlines() if line]
        recs = [(r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]
    except (ValueError, IndexError, UnicodeDecodeError):
        return False
    if not recs:
        return False
    prev_end = 0
    with open(fasta, "rb") as fh:
        for name, length, offset, linebases, linewidth in recs:
            if linebases <= 0 or linewidth < linebases or offset <= prev_end or offset > size:
                return False
            fh.seek(prev_end)
            chunk = fh.read(offset - prev_end)
            header = chunk.rstrip(b"\r\n").split(b"\n")[-1]
            if not chunk.endswith(b"\n") or not header.startswith(b">") or \
                    header[1:].split()[:1] != [name.encode()]:
                return False                         # the sequence does not start at the offset
            full, rem = divmod(length, linebases)
            if length > linebases:                   # the first line has linebases bases
                fh.seek(offset + linebases)
                if fh.read(linewidth - linebases) not in (b"\n", b"\r\n"):
                    return False
            end = offset + full * linewidth + (rem + (linewidth - linebases) if rem else 0)
            if end > size:
                return False
            fh.seek(end)
            tail = fh.read(linewidth + 1).lstrip(b"\r\n")
            if tail and not tail.startswith(b">"):
                return False                         # the record is longer than the index says
            prev_end = end
    return True


def open_genome(path: str | os.PathLike, tmpdir: str | None = None, option: str = "data.bed.genome"):
    """A pyfaidx.Fasta of the genome (raw strings, case kept). The .fai index beside the genome is
    used (and built there if missing); if that directory is not writable it is built in ``tmpdir``.
    ``option`` is the config key or command-line option that gave the path (for messages)."""
    import pyfaidx

    path = Path(path)
    require_file(path, "the genome FASTA", f"correct {option}")
    fai = Path(str(path) + ".fai")
    indexname = None
    writable = os.access(path.parent, os.W_OK)
    # a timestamp says nothing (gunzip gives a fresh FASTA its archive's old date): the index is
    # checked against the FASTA's bytes and rebuilt when it does not describe them
    stale = fai.exists() and not fai_matches(path, fai)
    if stale and writable:
        fai.unlink()
    if (not fai.exists() or stale or fai.stat().st_mtime < path.stat().st_mtime) and not writable:
        indexname = str(Path(tmpdir or tempfile.gettempdir()) / (path.name + ".fai"))
        with suppress(FileNotFoundError):
            Path(indexname).unlink()
    try:
        return pyfaidx.Fasta(str(path), indexname=indexname, as_raw=True, sequence_always_upper=False,
                             rebuild=writable or indexname is not None)
    except Exception as exc:  # pyfaidx raises many kinds (indexing, compression, duplicates)
        raise InputError(path, f"cannot index the genome with pyfaidx ({type(exc).__name__}: {exc})",
                         "give an uncompressed or bgzip-compressed FASTA with unique record names "
                         "and lines of equal length within each record") from None


def encode_genome_window(genome_path, seq: str, chrom: str, start: int) -> np.ndarray:
    """Codes of a genome window; IUPAC ambiguity codes become N, other letters are errors
    (:func:`danqmotifs.core.alphabet.encode_genome`, the policy of every genome reader)."""
    return encode_genome(seq, genome_path, chrom, start)


def check_regions(regions: BedRegions, chrom_lengths: dict[str, int], width: int, bed_path,
                  genome_path) -> tuple[np.ndarray, np.ndarray]:
    """Every region on a known chromosome, inside it, its window too; returns the windows."""
    ws, we = center_windows(regions.starts, regions.ends, width)
    for k, c in enumerate(regions.chroms):
        if c not in chrom_lengths:
            have = list(chrom_lengths)
            shown = ", ".join(have[:8]) + (", ..." if len(have) > 8 else "")
            raise _bad_line(bed_path, int(regions.lines[k]), regions.texts[k],
                            f"chromosome '{c}' is not in the genome {genome_path} (it has {shown})",
                            "use the genome the BED was made for (check 'chr1' against '1' naming)")
        size = chrom_lengths[c]
        if regions.ends[k] > size:
            raise _bad_line(bed_path, int(regions.lines[k]), regions.texts[k],
                            f"the region ends at {regions.ends[k]}, past the end of {c} ({size} bp)",
                            "use the genome the BED was made for, or remove the region")
        if ws[k] < 0 or we[k] > size:
            raise _bad_line(bed_path, int(regions.lines[k]), regions.texts[k],
                            f"its {width} bp window {c}:{ws[k]}-{we[k]} runs off {c} (0-{size})",
                            "remove regions this close to a chromosome end, or lower data.bed.width")
    return ws, we


def assign_chrom_splits(chroms: list[str], valid_chroms, test_chroms) -> np.ndarray:
    """Split index (0 train, 1 valid, 2 test) per region from held-out chromosome lists."""
    v, t = set(valid_chroms), set(test_chroms)
    both = sorted(v & t)
    if both:
        raise InputError("data.bed.valid_chroms/test_chroms", f"{', '.join(both)} listed for both "
                         "validation and test", "hold each chromosome out once")
    split = np.array([2 if c in t else 1 if c in v else 0 for c in chroms], dtype=np.int8)
    present = sorted(set(chroms))
    shown = ", ".join(present[:12]) + (", ..." if len(present) > 12 else "")
    for s, name in enumerate(SPLITS):
        if np.any(split == s):
            continue
        if name == "train":
            key, why = "valid_chroms/test_chroms", "every region lies on a held-out chromosome"
        else:
            key = f"{name}_chroms"
            held = sorted(v if name == "valid" else t)
            why = f"no region lies on {', '.join(held)}" if held else "no chromosome is listed for it"
        raise InputError(f"data.bed.{key}", f"the {name} split would be empty: {why} (the BED has "
                         f"regions on {shown})", f"choose data.bed.{key} among the chromosomes of the BED")
    return split


def convert_bed(bed: str | os.PathLike, genome: str | os.PathLike, outputs: dict[str, str | os.PathLike],
                width: int = 1000, test_chroms=("chr8", "chr9"), valid_chroms=("chr7",),
                tmpdir: str | None = None) -> dict:
    """Check the BED against the genome, then write the three splits (ids stored). Returns a summary."""
    regions = read_bed(bed)
    split = assign_chrom_splits(regions.chroms, list(valid_chroms), list(test_chroms))
    with tempfile.TemporaryDirectory(dir=tmpdir) as idx_dir:
        fa = open_genome(genome, idx_dir)
        try:
            lengths = {name: len(fa[name]) for name in fa.keys()}
            ws, we = check_regions(regions, lengths, width, bed, genome)
            attrs = {"width": width, "coordinates": "ids are chrom:start-end, 0-based, end exclusive",
                     "valid_chroms": ",".join(valid_chroms), "test_chroms": ",".join(test_chroms)}
            writers = {s: DataWriter(outputs[s], width, regions.target_names, "bed", s, with_ids=True,
                                     attrs=attrs) for s in SPLITS}
            buffers: dict[str, list] = {s: [] for s in SPLITS}

            def flush(s):
                if buffers[s]:
                    idx = np.asarray(buffers[s])
                    codes = np.stack([encode_genome_window(genome, fa[regions.chroms[k]][int(ws[k]):int(we[k])],
                                                           regions.chroms[k], int(ws[k])) for k in idx])
                    ids = [f"{regions.chroms[k]}:{ws[k]}-{we[k]}" for k in idx]
                    writers[s].append(codes, regions.labels[idx], ids)
                    buffers[s] = []

            with ExitStack() as stack:
                for w in writers.values():
                    stack.enter_context(w)
                for k in range(len(regions.chroms)):
                    s = SPLITS[split[k]]
                    buffers[s].append(k)
                    if len(buffers[s]) >= _BLOCK:
                        flush(s)
                for s in SPLITS:
                    flush(s)
        finally:
            fa.close()
    return {"n": len(regions.chroms), "targets": len(regions.target_names),
            **{s: int(np.sum(split == i)) for i, s in enumerate(SPLITS)}}
