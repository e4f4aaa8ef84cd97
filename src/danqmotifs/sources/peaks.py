"""Peaks alone (no labels, no negatives) converted to the data layout: one target per peak file.

Input: one or more peak files, each a FASTA of peak sequences or a BED of peak regions (a BED needs
``genome``). A file is a FASTA when its first non-blank line starts with '>', else a BED
(``chrom start end ...``, 0-based, end exclusive; further columns are ignored; '#', ``track`` and
``browser`` lines skipped). Target ``k`` is named by ``names[k]`` or, by default, by its file's name
without extensions.

Positives: each peak becomes one window of ``width`` bp: a FASTA record trimmed or padded with N
around its centre; a BED region's centred window cut from the genome (``bed.center_windows``). Its
id is the FASTA record id or ``chrom:start-end`` of the window. A peak is 1 for the target of its
file and 0 for the others; the same id in several files is one sequence, 1 for each of them.

Negatives, all 0 for every target, ``negatives_per_peak`` for each positive, each written right
after its peak into the peak's split:

- ``shuffle``: dinucleotide shuffles of the peak (``danqmotifs.sources.shuffle``; exact dinucleotide counts),
  id ``<peak id>|shuffle<j>``;
- ``flank`` (needs ``genome`` and ids ``chrom:start-end``): the window ``flank_distance`` bp
  downstream (j even) or upstream (j odd) of the peak's window, on the other side when that one
  runs off the chromosome, overlaps a peak window of any file or is more than half N; id
  ``chrom:start-end|flank``;
- ``gc``: a random window of the same chromosome whose GC fraction is within ``gc_tolerance`` of
  the peak's (the closest of ``gc_tries`` draws when none is), not overlapping any peak window and
  at most half N; id ``chrom:start-end|gc``.

A genomic negative that cannot be placed (both flanks blocked; a chromosome too short) is skipped
and counted in the summary's notes. Every draw comes from ``seed`` and the peak's index, so the same
config and seed give the same bytes.

Splits: ``chrom`` (held-out chromosomes, the part of the id before ':'; default test chr8, chr9,
valid chr7) or ``fraction`` (a seeded random choice). A negative goes to the split of its peak
(genomic negatives lie on the peak's chromosome), so no split sees another's peaks.
The files are read twice (ids first, then sequences): memory holds ids, never all sequences.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.alphabet import N_CODE
from ..core.errors import InputError, require_file
from ..formats.fasta import encode_record, iter_fasta, iter_lines, open_text, resize_codes
from .bed import center_windows, encode_genome_window, open_genome
from .datafile import SPLITS, DataWriter
from .fasta import assign_splits
from .shuffle import dinucleotide_shuffle, shuffle_rng

NEGATIVES = ("shuffle", "flank", "gc")
_BLOCK = 4096


def is_fasta(path: str | os.PathLike) -> bool:
    """Whether a (plain or gzipped) file's first non-blank line starts with '>'."""
    with open_text(Path(path)) as fh:
        for line in iter_lines(fh):
            if line.strip():
                return line.lstrip().startswith(b">")
    return False


def peak_name(path: str | os.PathLike) -> str:
    """A target name from a file name: the name without its extensions (.fa.gz, .bed, ...)."""
    name = Path(path).name
    for ext in (".gz", ".bgz", ".fa", ".fasta", ".fna", ".bed", ".narrowPeak", ".txt"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return name or Path(path).name


def read_peak_bed(path: str | os.PathLike) -> list[tuple[str, int, int, int]]:
    """(chrom, start, end, line) per region of a BED of peaks (columns past the third ignored)."""
    path = Path(path)
    out = []
    with open_text(path) as fh:
        for i, raw in enumerate(iter_lines(fh), 1):
            text = raw.decode("utf-8", "replace").strip()
            if not text or text.startswith(("#", "track", "browser")):
                continue
            f = text.split("\t") if "\t" in text else text.split()
            try:
                s, e = int(f[1]), int(f[2])
            except (ValueError, IndexError):
                raise InputError(path, f"line {i} ('{text[:50]}'): not 'chrom start end'",
                                 "give a BED (chrom<TAB>start<TAB>end, 0-based) or a FASTA of peaks") from None
            if s < 0 or e <= s:
                raise InputError(path, f"line {i}: the region {s}-{e} is empty or negative",
                                 "give 0-based starts and ends with start < end")
            out.append((f[0], s, e, i))
    if not out:
        raise InputError(path, "the file holds no peaks", "give at least one peak (a '>id' record or a BED line)")
    return out


def parse_coordinates(rid: str) -> tuple[str, int, int] | None:
    """``chrom:start-end`` -> (chrom, start, end); None for an id of another form."""
    chrom, sep, rest = rid.rpartition(":")
    a, dash, b = rest.partition("-")
    if not sep or not dash or not chrom:
        return None
    try:
        return chrom, int(a), int(b)
    except ValueError:
        return None


@dataclass
class PeakSet:
    """The first pass: unique peak ids in order, their label rows, where each comes from."""
    ids: list[str] = field(default_factory=list)
    labels: list[np.ndarray] = field(default_factory=list)
    file_of: list[int] = field(default_factory=list)
    windows: dict = field(default_factory=dict)      # chrom -> list of (start, end) of peak windows
    all_n: dict = field(default_factory=dict)        # file index -> ids of its peaks that are all N


def _iter_peaks(path, k: int, fa, width: int, genome_path):
    """(id, codes of the width-bp window, (chrom, start, end) or None) per peak of file k."""
    if is_fasta(path):
        for rid, raw, _line in iter_fasta(path):
            codes = encode_record(path, rid, raw)
            if codes.size == 0:
                raise InputError(path, f"record '{rid}' has no sequence", "remove it or add its sequence")
            coords = parse_coordinates(rid)
            if coords is not None:       # the window's coordinates after centring on width
                c, s, e = coords
                ws, we = center_windows(np.array([s]), np.array([e]), width)
                coords = (c, int(ws[0]), int(we[0]))
            yield rid, resize_codes(codes, width, "center"), coords
        return
    if fa is None:
        raise InputError(path, "a BED of peaks needs a genome to read the sequences from",
                         "set data.peaks.genome to the genome FASTA the BED refers to, or give a FASTA of peaks")
    rows = read_peak_bed(path)
    for chrom, s, e, line in rows:
        if chrom not in fa:
            raise InputError(path, f"line {line}: chromosome '{chrom}' is not in the genome {genome_path}",
                             "use the genome the BED was made for (check 'chr1' against '1' naming)")
        ws, we = center_windows(np.array([s]), np.array([e]), width)
        ws, we = int(ws[0]), int(we[0])
        size = len(fa[chrom])
        if ws < 0 or we > size:
            raise InputError(path, f"line {line}: the {width} bp window {chrom}:{ws}-{we} runs off {chrom} "
                             f"(0-{size})", "remove peaks this close to a chromosome end, or lower data.peaks.width")
        yield (f"{chrom}:{ws}-{we}", encode_genome_window(genome_path, fa[chrom][ws:we], chrom, ws),
               (chrom, ws, we))


def _overlaps(windows: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(a < e and s < b for a, b in windows)


def _gc(codes: np.ndarray) -> float:
    acgt = codes[codes < N_CODE]
    return float(np.mean((acgt == 1) | (acgt == 2))) if acgt.size else 0.0


class GenomicNegatives:
    """Flanking or GC-matched genomic windows for peaks (see the module docstring)."""

    def __init__(self, fa, genome_path, peaks: PeakSet, width: int, mode: str, flank_distance: int,
                 gc_tolerance: float, gc_tries: int, seed: int):
        self.fa, self.genome_path, self.peaks, self.width = fa, genome_path, peaks, width
        self.mode, self.flank, self.tol, self.tries, self.seed = mode, flank_distance, gc_tolerance, gc_tries, seed
        self.sizes = {c: len(fa[c]) for c in fa.keys()}

    def _usable(self, chrom, s, e):
        if s < 0 or e > self.sizes[chrom] or _overlaps(self.peaks.windows.get(chrom, []), s, e):
            return None
        codes = encode_genome_window(self.genome_path, self.fa[chrom][s:e], chrom, s)
        return codes if np.mean(codes == N_CODE) <= 0.5 else None

    def draw(self, index: int, j: int, codes: np.ndarray, coords) -> tuple[str, np.ndarray] | None:
        """The j-th negative of peak ``index`` (its window's codes and coordinates); None if none fits."""
        chrom, s, e = coords
        if chrom not in self.sizes:
            raise InputError(self.genome_path, f"the peak {chrom}:{s}-{e} lies on '{chrom}', which the genome lacks",
                             "give the genome the peaks were called on")
        w = self.width
        if self.mode == "flank":
            sides = (1, -1) if j % 2 == 0 else (-1, 1)
            for side in sides:
                d = side * self.flank * (1 + j // 2)
                got = self._usable(chrom, s + d, s + d + w)
                if got is not None:
                    return f"{chrom}:{s + d}-{s + d + w}|flank", got
            return None
        rng = shuffle_rng(self.seed, 0x6C, index, j)
        target, best = _gc(codes), None
        if self.sizes[chrom] < w:
            return None
        for _ in range(self.tries):
            a = int(rng.integers(0, self.sizes[chrom] - w + 1))
            got = self._usable(chrom, a, a + w)
            if got is None:
                continue
            diff = abs(_gc(got) - target)
            if best is None or diff < best[0]:
                best = (diff, a, got)
            if diff <= self.tol:
                break
        if best is None:
            return None
        return f"{chrom}:{best[1]}-{best[1] + w}|gc", best[2]


def _first_pass(peaks, fa, width, genome_path) -> PeakSet:
    ps, row_of = PeakSet(), {}
    for k, path in enumerate(peaks):
        seen_here = set()
        for rid, codes, coords in _iter_peaks(path, k, fa, width, genome_path):
            if not np.any(codes != N_CODE):
                ps.all_n.setdefault(k, []).append(rid)
            if rid in seen_here:
                raise InputError(path, f"the peak '{rid}' appears twice", "give each peak once per file")
            seen_here.add(rid)
            if rid in row_of:
                ps.labels[row_of[rid]][k] = 1
                continue
            row_of[rid] = len(ps.ids)
            lab = np.zeros(len(peaks), dtype=np.uint8)
            lab[k] = 1
            ps.ids.append(rid)
            ps.labels.append(lab)
            ps.file_of.append(k)
            if coords is not None:
                ps.windows.setdefault(coords[0], []).append((coords[1], coords[2]))
    return ps


def convert_peaks(peaks, outputs: dict, names=(), genome: str | os.PathLike | None = None,
                  width: int = 200, negatives: str = "shuffle", negatives_per_peak: int = 1,
                  flank_distance: int = 1000, gc_tolerance: float = 0.02, gc_tries: int = 100,
                  split_by: str = "chrom", valid_chroms=("chr7",), test_chroms=("chr8", "chr9"),
                  valid_fraction: float = 0.1, test_fraction: float = 0.1, seed: int = 1,
                  tmpdir: str | None = None, where: str = "data.peaks") -> dict:
    """Write the three splits from peak files alone (see the module docstring). Returns a summary:
    counts of positives and negatives per split, target names, notes."""
    peaks = [Path(p) for p in peaks]
    if not peaks:
        raise InputError(f"{where}.peaks", "no peak file is given", "list one FASTA or BED of peaks per target")
    for p in peaks:
        require_file(p, "the peak file", f"correct {where}.peaks")
    if negatives not in NEGATIVES:
        raise InputError(f"{where}.negatives", f"'{negatives}' is not one of {', '.join(NEGATIVES)}",
                         "choose shuffle, flank or gc")
    if negatives != "shuffle" and not genome:
        raise InputError(f"{where}.genome", f"negatives '{negatives}' are genomic windows but no genome is given",
                         f"set {where}.genome to the genome FASTA, or use negatives: shuffle")
    names = list(names) or [peak_name(p) for p in peaks]
    if len(names) != len(peaks) or len(set(names)) != len(names) or not all(names):
        raise InputError(f"{where}.names", f"{len(names)} names for {len(peaks)} peak files, or a name "
                         "twice or empty", "give one unique name per peak file, or none (file names)")
    with ExitStack() as stack:
        fa = None
        if genome:
            idx_dir = stack.enter_context(tempfile.TemporaryDirectory(dir=tmpdir))
            fa = open_genome(genome, idx_dir, f"{where}.genome")
            stack.callback(fa.close)
        ps = _first_pass(peaks, fa, width, genome)
        notes: list[str] = []
        warned = _peak_warnings(peaks, names, ps, where)
        if split_by == "chrom":
            bad = next((i for i in ps.ids if parse_coordinates(i) is None), None)
            if bad is not None:
                raise InputError(peaks[ps.file_of[ps.ids.index(bad)]], f"the peak id '{bad}' is not "
                                 f"chrom:start-end, so {where}.split_by: chrom cannot tell its chromosome",
                                 "name FASTA records chrom:start-end, give a BED, or set "
                                 f"{where}.split_by: fraction")
            split = assign_splits(ps.ids, "chrom", list(valid_chroms), list(test_chroms), 0.0, 0.0,
                                  seed, where, notes, held_keys="chroms")
        else:
            split = assign_splits(ps.ids, "fraction", [], [], valid_fraction, test_fraction, seed, where, notes)
        gen = None
        if negatives != "shuffle":
            bad = next((i for i in ps.ids if parse_coordinates(i) is None), None)
            if bad is not None:
                raise InputError(peaks[ps.file_of[ps.ids.index(bad)]], f"the peak id '{bad}' is not "
                                 "chrom:start-end, so no genomic window can be placed beside it",
                                 "name FASTA records chrom:start-end, give a BED, or use negatives: shuffle")
            gen = GenomicNegatives(fa, genome, ps, width, negatives, flank_distance, gc_tolerance, gc_tries, seed)
        attrs = {"width": width, "negatives": negatives, "negatives_per_peak": negatives_per_peak,
                 "split_by": split_by, "peak_files": ",".join(p.name for p in peaks)}
        writers = {s: stack.enter_context(DataWriter(outputs[s], width, names, "peaks", s, with_ids=True,
                                                     attrs=attrs)) for s in SPLITS}
        counts = {s: [0, 0] for s in SPLITS}
        buffers = {s: ([], [], []) for s in SPLITS}
        zeros = np.zeros(len(peaks), dtype=np.uint8)
        skipped = 0

        def put(s, codes, lab, rid):
            buf = buffers[s]
            buf[0].append(codes)
            buf[1].append(lab)
            buf[2].append(rid)
            if len(buf[0]) >= _BLOCK:
                flush(s)

        def flush(s):
            codes, labs, ids = buffers[s]
            if codes:
                writers[s].append(np.stack(codes), np.stack(labs), ids)
                buffers[s] = ([], [], [])

        index = {rid: i for i, rid in enumerate(ps.ids)}
        for k, path in enumerate(peaks):
            for rid, codes, coords in _iter_peaks(path, k, fa, width, genome):
                i = index[rid]
                if ps.file_of[i] != k:
                    continue                     # written with the first file that has it
                s = SPLITS[split[i]]
                put(s, codes, ps.labels[i], rid)
                counts[s][0] += 1
                for j in range(negatives_per_peak):
                    if gen is None:
                        neg = (f"{rid}|shuffle{j}", dinucleotide_shuffle(codes, shuffle_rng(seed, i, j)))
                    else:
                        neg = gen.draw(i, j, codes, coords)   # every id parsed (checked above)
                    if neg is None:
                        skipped += 1
                        continue
                    put(s, neg[1], zeros, neg[0])
                    counts[s][1] += 1
        for s in SPLITS:
            flush(s)
    if skipped:
        notes.append(f"{skipped} genomic negative(s) could not be placed (chromosome end, peaks or N "
                     "on both sides) and were left out")
    return {"targets": names, "counts": {s: tuple(c) for s, c in counts.items()}, "notes": notes,
            "warnings": warned}


def _peak_warnings(peaks: list[Path], names: list[str], ps: PeakSet, where: str) -> list[str]:
    """What is accepted but probably not meant: two targets given one peak file (identical labels),
    peaks whose window is all N (nothing to learn from; their shuffled negatives are all N too)."""
    out = []
    for b in range(len(peaks)):
        for a in range(b):
            try:
                same = os.path.samefile(peaks[a], peaks[b])
            except OSError:
                same = False
            if same:
                out.append(f"{where}.peaks: targets '{names[a]}' and '{names[b]}' are given the same file "
                           f"{peaks[b]}, so their labels are identical; give each target its own peak file")
    for k, ids in sorted(ps.all_n.items()):
        out.append(f"{peaks[k]}: {len(ids)} peak(s) are all N (e.g. '{ids[0]}'; a gap or masked region of "
                   "the genome?), so they carry no sequence to learn from; remove them")
    return out
