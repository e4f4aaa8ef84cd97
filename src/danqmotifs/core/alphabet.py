"""DNA alphabets, base codes and one-hot encodings.

Internal order everywhere is A, C, G, T (MEME's). On disk a sequence is one uint8 code per base
(0..3 for A, C, G, T; 4 for N or any other unknown letter), four times smaller than one-hot.
One-hot arrays are (..., L, 4); N is an all-zero row and adds nothing to a convolution score.
DeepSEA's .mat files use A, G, C, T: reorder their channels with ``DEEPSEA_TO_ACGT``.
"""

from __future__ import annotations

import numpy as np

ALPHABET = "ACGT"
N_CODE = 4
#: channel permutation taking DeepSEA's A,G,C,T one-hot to A,C,G,T (it is its own inverse)
DEEPSEA_TO_ACGT = np.array([0, 2, 1, 3])

# byte -> code; lowercase (soft-masked) bases are ordinary bases; 255 marks a letter that is not
# one of ACGTN (IUPAC ambiguity codes are rejected rather than silently turned into N).
_LUT = np.full(256, 255, dtype=np.uint8)
for _i, _b in enumerate(ALPHABET):
    _LUT[ord(_b)] = _i
    _LUT[ord(_b.lower())] = _i
_LUT[ord("N")] = N_CODE
_LUT[ord("n")] = N_CODE

_EYE = np.vstack([np.eye(4, dtype=np.uint8), np.zeros((1, 4), dtype=np.uint8)])
_COMPLEMENT_CODE = np.array([3, 2, 1, 0, 4], dtype=np.uint8)


def encode(seq: str | bytes) -> np.ndarray:
    """Sequence string -> uint8 codes. Raises ``ValueError`` naming the first bad letter."""
    raw = np.frombuffer(seq.encode("ascii", "replace") if isinstance(seq, str) else seq, dtype=np.uint8)
    codes = _LUT[raw]
    bad = np.flatnonzero(codes == 255)
    if bad.size:
        i = int(bad[0])
        letter = chr(raw[i])
        raise ValueError(f"letter {letter!r} at position {i + 1} is not one of A, C, G, T, N "
                         f"({bad.size} such letter(s) in this sequence)")
    return codes


#: IUPAC ambiguity codes (either case): a genome's uncertain bases, which genome readers take as N
IUPAC_AMBIGUOUS = b"RYKMSWBDHVrykmswbdhv"
_IUPAC_TO_N = bytes.maketrans(IUPAC_AMBIGUOUS, b"N" * len(IUPAC_AMBIGUOUS))


def encode_genome(seq: str | bytes, genome_path, chrom: str, start: int) -> np.ndarray:
    """Codes of ``seq``, the genome ``genome_path``'s bases of ``chrom`` from ``start`` (0-based):
    the one letter policy of every genome reader (BED and peak sources, score-variants). IUPAC
    ambiguity codes become N; any other letter is an InputError naming the file and the base's
    position (``chrom:pos``, 1-based as in a VCF or a genome browser)."""
    from .errors import InputError

    raw = (seq.encode("ascii", "replace") if isinstance(seq, str) else bytes(seq)).translate(_IUPAC_TO_N)
    codes = _LUT[np.frombuffer(raw, dtype=np.uint8)]
    bad = np.flatnonzero(codes == 255)
    if bad.size:
        i = int(bad[0])
        raise InputError(genome_path, f"{chrom}:{start + i + 1} (1-based) has the letter {chr(raw[i])!r}, which is "
                         f"neither A, C, G, T, N nor an IUPAC ambiguity code ({bad.size} such letter(s) in the "
                         f"{len(raw)} bp read from {chrom}:{start + 1})",
                         "use a genome FASTA of A, C, G, T, N (IUPAC ambiguity codes are read as N)")
    return codes


def decode(codes: np.ndarray) -> str:
    """uint8 codes -> sequence string (code 4 -> N)."""
    return np.frombuffer(b"ACGTN", dtype=np.uint8)[np.asarray(codes)].tobytes().decode("ascii")


def codes_to_onehot(codes: np.ndarray, dtype=np.float32) -> np.ndarray:
    """(..., L) codes -> (..., L, 4) one-hot, N as an all-zero row (one table lookup in the
    requested dtype: this runs on every training batch)."""
    table = _EYE if np.dtype(dtype) == _EYE.dtype else _EYE.astype(dtype)
    return np.take(table, np.asarray(codes), axis=0)


def onehot_to_codes(onehot: np.ndarray) -> np.ndarray:
    """(..., L, 4) one-hot -> (..., L) codes; all-zero rows become N. Rows must be one-hot or zero."""
    onehot = np.asarray(onehot)
    s = onehot.sum(axis=-1)
    if not np.all((s == 0) | (s == 1)) or not np.all((onehot == 0) | (onehot == 1)):
        raise ValueError("array is not one-hot: every row must be all zeros or a single 1")
    codes = onehot.argmax(axis=-1).astype(np.uint8)
    codes[s == 0] = N_CODE
    return codes


def reverse_complement_codes(codes: np.ndarray) -> np.ndarray:
    """Reverse complement of (..., L) codes."""
    return _COMPLEMENT_CODE[np.asarray(codes)[..., ::-1]]


def reverse_complement_onehot(onehot: np.ndarray) -> np.ndarray:
    """Reverse complement of (..., L, 4) one-hot in A,C,G,T order: x[..., ::-1, ::-1]."""
    return np.asarray(onehot)[..., ::-1, ::-1]


def frequencies_from_counts(counts) -> np.ndarray:
    """A, C, G, T frequencies from per-code counts (a 5th entry, N, is ignored); uniform if no
    base was counted at all."""
    counts = np.asarray(counts, dtype=np.float64)[:4]
    total = counts.sum()
    return counts / total if total else np.full(4, 0.25)


def base_frequencies(codes: np.ndarray) -> np.ndarray:
    """A, C, G, T frequencies of a code array (N ignored); uniform if no base at all."""
    return frequencies_from_counts(np.bincount(np.asarray(codes, dtype=np.uint8).ravel(), minlength=5))
