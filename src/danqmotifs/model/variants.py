"""Variant effects: a VCF and a genome FASTA in, per variant and target the predicted probability
of the reference and the alternative window, their absolute difference and the log-odds
difference (DeepSEA's and DanQ's variant features), out as TSV and HDF5.

* VCF: plain or bgzip/gzip-compressed; one record per ALT allele of each line. SNVs and indels
  whose alleles are at most ``max_allele`` bp; symbolic alleles (``<DEL>``, ``*``, breakends) and
  longer alleles are skipped and reported.
* Windows: ``W`` bp (the model's input length), the variant's first base at 0-based offset ``W //
  2``; the reference window is the genome there, the alternative window the same left flank, the
  ALT allele, then the genome after the REF allele, cut to ``W``. Bases beyond a chromosome end
  are N.
* The REF allele is checked against the genome (case-insensitive; N in either matches nothing):
  a mismatch, or a chromosome the genome lacks, is not scored but written to the report of skipped
  variants (and counted in a warning).
* Predictions as the ``predict`` command makes them (reverse-complement averaged unless switched
  off). Log-odds difference: logit(p_alt) - logit(p_ref), the probabilities clipped to
  [1e-7, 1 - 1e-7].

Variants are read, encoded, predicted and written ``chunk`` at a time, so memory does not grow
with the number of variants. DanQ's own variant classifiers (xgboost models over these features)
also need evolutionary conservation scores and other annotations that are not available offline;
they are not reproduced here.
"""

from __future__ import annotations

import contextlib
import gzip
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from ..core.alphabet import encode, encode_genome
from ..core.errors import InputError, atomic_output, require_file
from ..core.metrics import log_odds
from ..formats.fasta import is_gzip

#: columns of the per variant x target TSV
TSV_COLUMNS = ("chrom", "pos", "id", "ref", "alt", "target", "ref_prob", "alt_prob", "abs_diff", "log_odds_diff")
SKIP_COLUMNS = ("chrom", "pos", "id", "ref", "alt", "line", "reason")
_BASES = set("ACGTNacgtn")


class VariantWarning(UserWarning):
    """Variants that were not scored (REF mismatch, unknown chromosome, unsupported allele)."""


@dataclass(frozen=True)
class Variant:
    """One ALT allele of a VCF line; ``pos`` is 1-based, as in the VCF."""

    chrom: str
    pos: int
    id: str
    ref: str
    alt: str
    line: int


def _open_text(path: Path):
    if is_gzip(path):                               # gzip, and so bgzip
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def iter_vcf(path, max_allele: int = 100, skipped: Callable[[Variant, str, str], None] | None = None
             ) -> Iterator[Variant]:
    """Variants of a VCF, one per ALT allele, in file order; unsupported ones go to ``skipped``.

    Raises
    ------
    InputError
        A missing file, a data line with fewer than 5 columns or a position that is not a
        positive integer.
    """
    path = Path(path)
    require_file(path, "the VCF", "correct the path")
    fix = "give a VCF (tab-separated: CHROM, POS, ID, REF, ALT, ...), plain or bgzip-compressed"
    try:
        with _open_text(path) as fh:
            for i, line in enumerate(fh, start=1):
                if line.startswith("#") or not line.strip():
                    continue
                f = line.rstrip("\r\n").split("\t")
                if len(f) < 5:
                    raise InputError(path, f"line {i} has {len(f)} tab-separated columns, fewer than 5", fix)
                try:
                    pos = int(f[1])
                except ValueError:
                    pos = 0
                if pos < 1:
                    raise InputError(path, f"line {i}: POS {f[1]!r} is not a positive integer", fix)
                for alt in f[4].split(","):
                    v = Variant(f[0], pos, f[2], f[3], alt, i)
                    reason = _unsupported(v, max_allele)
                    if reason:
                        if skipped is not None:
                            skipped(v, "unsupported", reason)
                        continue
                    yield v
    except (OSError, EOFError, UnicodeError) as exc:
        raise InputError(path, f"cannot read the VCF ({exc})", fix) from None


def _unsupported(v: Variant, max_allele: int) -> str:
    if not set(v.alt) <= _BASES or not v.alt or v.alt in (".", "*"):
        return f"ALT {v.alt!r} is not a sequence of A, C, G, T, N (symbolic alleles are not scored)"
    if not set(v.ref) <= _BASES or not v.ref:
        return f"REF {v.ref!r} is not a sequence of A, C, G, T, N"
    if max(len(v.ref), len(v.alt)) > max_allele:
        return f"allele longer than {max_allele} bp"
    if v.ref.upper() == v.alt.upper():
        return "ALT equals REF"
    return ""


def _fetch(genome, chrom: str, start: int, end: int, length: int) -> str:
    """genome[chrom][start:end] with N beyond the chromosome's ends."""
    a, b = max(start, 0), min(end, length)
    mid = str(genome[chrom][a:b]) if b > a else ""
    return "N" * (a - start) + mid + "N" * max(0, end - max(b, start))


def _genome_codes(genome, seq: str, chrom: str, start: int) -> np.ndarray:
    """Codes of genome bases: IUPAC ambiguity codes are N, other letters an InputError naming the
    genome file and the position (:func:`danqmotifs.core.alphabet.encode_genome`, as the BED and peak
    sources read a genome)."""
    return encode_genome(seq, getattr(genome, "filename", "the genome FASTA"), chrom, start)


def windows(genome, chrom_lengths: dict, v: Variant, width: int) -> tuple[np.ndarray, np.ndarray] | tuple[str, str]:
    """(reference codes, alternative codes), each ``width`` bp, or (kind, reason) when the variant
    is not scored (kind: unknown_chrom or ref_mismatch)."""
    if v.chrom not in chrom_lengths:
        return "unknown_chrom", "chromosome not in the genome"
    n = chrom_lengths[v.chrom]
    p0 = v.pos - 1
    if p0 + len(v.ref) > n:
        return "ref_mismatch", f"REF ends beyond the chromosome ({n} bp)"
    half = width // 2
    start = p0 - half
    ref_seq = _fetch(genome, v.chrom, start, start + width, n)
    ref_codes = _genome_codes(genome, ref_seq, v.chrom, start)      # letters checked before REF is
    ref_here = _fetch(genome, v.chrom, p0, p0 + len(v.ref), n)
    if ref_here.upper() != v.ref.upper() or "N" in ref_here.upper():
        return "ref_mismatch", f"REF {v.ref} but the genome has {ref_here}"
    right = width - half - len(v.alt)
    after = p0 + len(v.ref)
    tail = _fetch(genome, v.chrom, after, after + right, n) if right > 0 else ""
    alt_codes = np.concatenate([ref_codes[:half], encode(v.alt.encode("ascii")),
                                _genome_codes(genome, tail, v.chrom, after)])[:width]
    return ref_codes, alt_codes


def _chunks(it: Iterator[Variant], size: int) -> Iterator[list[Variant]]:
    buf = []
    for v in it:
        buf.append(v)
        if len(buf) == size:
            yield buf
            buf = []
    if buf:
        yield buf


def score_variants(predict: Callable[[np.ndarray], np.ndarray], vcf, genome, width: int, target_names: Sequence[str],
                   tsv=None, h5=None, skipped_path=None, chunk: int = 1024, max_allele: int = 100,
                   log: Callable[[str], None] = print) -> dict:
    """Score every variant of ``vcf`` (see the module docstring) with ``predict`` ((B, W) codes ->
    (B, T) probabilities) and write the TSV ``tsv``, the HDF5 ``h5`` (either may be None) and the
    report of skipped variants ``skipped_path``. Returns counts (scored, skipped by reason)."""
    if tsv is None and h5 is None:
        raise InputError("--tsv/--h5", "no output asked for", "give --tsv, --h5 or both")
    lengths = {k: len(genome[k]) for k in genome.keys()}
    counts = {"scored": 0, "ref_mismatch": 0, "unknown_chrom": 0, "unsupported": 0}
    with contextlib.ExitStack() as stack:
        skip_fh = open(stack.enter_context(atomic_output(skipped_path)), "w") if skipped_path else None
        if skip_fh:
            stack.enter_context(skip_fh)
            skip_fh.write("\t".join(SKIP_COLUMNS) + "\n")

        def skipped(v: Variant, kind: str, reason: str) -> None:
            counts[kind] += 1
            if skip_fh:
                skip_fh.write(f"{v.chrom}\t{v.pos}\t{v.id}\t{v.ref}\t{v.alt}\t{v.line}\t{reason}\n")

        tsv_fh = None
        if tsv is not None:
            tsv_fh = open(stack.enter_context(atomic_output(tsv)), "w")
            stack.enter_context(tsv_fh)
            tsv_fh.write("\t".join(TSV_COLUMNS) + "\n")
        out = None
        if h5 is not None:
            out = _H5Out(stack.enter_context(atomic_output(h5)), target_names, chunk)
            stack.enter_context(out)
        for batch in _chunks(iter_vcf(vcf, max_allele, skipped), chunk):
            keep, refs, alts = [], [], []
            for v in batch:
                w = windows(genome, lengths, v, width)
                if isinstance(w[0], str):
                    skipped(v, *w)
                    continue
                keep.append(v)
                refs.append(w[0])
                alts.append(w[1])
            if not keep:
                continue
            pr = predict(np.stack(refs))
            pa = predict(np.stack(alts))
            lod = (log_odds(pa) - log_odds(pr)).astype(np.float32)
            diff = np.abs(pa - pr).astype(np.float32)
            if tsv_fh is not None:
                _write_tsv(tsv_fh, keep, target_names, pr, pa, diff, lod)
            if out is not None:
                out.append(keep, pr, pa, diff, lod)
            counts["scored"] += len(keep)
            log(f"  scored {counts['scored']:,} variants")
        if counts["scored"] == 0 and counts["unknown_chrom"] and not counts["ref_mismatch"]:
            _warn_skipped(vcf, counts, skipped_path)
            raise InputError(vcf, "no variant is on a chromosome of the genome",     # before any output exists
                             "use the genome the VCF was called on (chromosome names: 'chr1' or '1')")
    _warn_skipped(vcf, counts, skipped_path)
    return counts


def _warn_skipped(vcf, counts: dict, skipped_path) -> None:
    n_skip = sum(v for k, v in counts.items() if k != "scored")
    if n_skip:
        warnings.warn(f"{vcf}: {n_skip} variants not scored ({counts['ref_mismatch']} REF mismatches, "
                      f"{counts['unknown_chrom']} on chromosomes the genome lacks, {counts['unsupported']} "
                      f"unsupported alleles){'; listed in ' + str(skipped_path) if skipped_path else ''}",
                      VariantWarning, stacklevel=3)


def _write_tsv(fh, keep, names, pr, pa, diff, lod) -> None:
    rows = []
    for i, v in enumerate(keep):
        head = f"{v.chrom}\t{v.pos}\t{v.id}\t{v.ref}\t{v.alt}\t"
        for t, name in enumerate(names):
            rows.append(f"{head}{name}\t{pr[i, t]:.6g}\t{pa[i, t]:.6g}\t{diff[i, t]:.6g}\t{lod[i, t]:.6g}\n")
    fh.write("".join(rows))


class _H5Out:
    """HDF5 output grown chunk by chunk: ref_prob, alt_prob, abs_diff, log_odds_diff (N, T) float32,
    the variants' chrom, pos, id, ref, alt, and target_names."""

    def __init__(self, path, target_names, chunk: int):
        import h5py

        self.f = h5py.File(path, "w")
        T = len(target_names)
        s = h5py.string_dtype("utf-8")
        c = (max(1, min(chunk, 4096)), max(1, T))
        self.mats = {k: self.f.create_dataset(k, shape=(0, T), maxshape=(None, T), dtype="f4", chunks=c,
                                              track_times=False)
                     for k in ("ref_prob", "alt_prob", "abs_diff", "log_odds_diff")}
        self.cols = {k: self.f.create_dataset(k, shape=(0,), maxshape=(None,), dtype=("i8" if k == "pos" else s),
                                              chunks=(4096,), track_times=False)
                     for k in ("chrom", "pos", "id", "ref", "alt")}
        self.f.create_dataset("target_names", data=np.array(list(target_names), dtype=object), dtype=s,
                              track_times=False)
        self.n = 0

    def append(self, keep, pr, pa, diff, lod) -> None:
        a, b = self.n, self.n + len(keep)
        for k, x in zip(("ref_prob", "alt_prob", "abs_diff", "log_odds_diff"), (pr, pa, diff, lod)):
            self.mats[k].resize(b, axis=0)
            self.mats[k][a:b] = x
        for k, d in self.cols.items():
            d.resize(b, axis=0)
            vals = [getattr(v, k) for v in keep]
            d[a:b] = np.array(vals, dtype=np.int64 if k == "pos" else object)
        self.n = b

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.f.close()


def score_vcf(model_path, vcf, genome_path, tsv=None, h5=None, skipped_path=None, batch_size: int = 256,
              average_rc: bool = True, chunk: int = 1024, max_allele: int = 100, targets_file=None,
              length: int | None = None, pool: int | None = None, log: Callable[[str], None] = print,
              genome_option: str = "--genome") -> dict:
    """:func:`score_variants` with the model at ``model_path`` (a .keras model or DanQ's published
    weights) and the genome FASTA at ``genome_path`` (plain or bgzip; its .fai is built if missing).
    ``genome_option`` names the option or config key of the genome in messages."""
    from ..sources.bed import open_genome
    from .modelio import load_model, make_predictor, model_shape, predict_codes
    from .predict import default_target_names

    if int(chunk) < 1 or int(batch_size) < 1:
        raise InputError("--chunk/--batch-size", "must be >= 1", "give positive numbers")
    model = load_model(model_path, length=length, pool=pool)
    width, n_targets = model_shape(model)
    if width is None:
        raise InputError(model_path, "the model does not fix a sequence length", "use a model trained by this workflow")
    names = default_target_names(model_path, n_targets, targets_file)
    predictor = make_predictor(model, average_rc)
    genome = open_genome(genome_path, option=genome_option)
    try:
        return score_variants(lambda codes: predict_codes(predictor, codes, batch_size), vcf, genome, width, names,
                              tsv, h5, skipped_path, chunk, max_allele, log)
    finally:
        genome.close()
