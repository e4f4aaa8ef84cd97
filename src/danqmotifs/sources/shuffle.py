"""Dinucleotide shuffling: random sequences with exactly the dinucleotide counts of a given one.

The Altschul-Erickson shuffle, as a random Eulerian walk (Kandel et al. 1996): the sequence is a
walk through the graph whose vertices are letters and whose edges are its n - 1 overlapping
dinucleotides. Every other walk that uses each edge once, starts with the same first letter and
(therefore) ends with the same last letter has the same dinucleotide counts, and conversely. A
uniformly random one is drawn by

1. a uniformly random spanning arborescence towards the last letter (Wilson's loop-erased random
   walks over the multigraph): for every other letter, the edge by which the walk leaves it for
   the last time;
2. a random order of each letter's remaining out-edges, its last-exit edge placed last;
3. the walk from the first letter, taking each letter's edges in that order.

Works on codes 0..4 (A, C, G, T, N): an N is a letter like any other, so the counts of pairs with
N are kept as well (N never moves into or out of a run of N except where the input had such a pair).
"""

from __future__ import annotations

import numpy as np

_ALPHABET_SIZE = 5


def dinucleotide_counts(codes: np.ndarray) -> np.ndarray:
    """(5, 5) counts of overlapping pairs (codes 0..4) of one sequence."""
    c = np.asarray(codes, dtype=np.int64)
    out = np.zeros((_ALPHABET_SIZE, _ALPHABET_SIZE), dtype=np.int64)
    if c.size > 1:
        np.add.at(out, (c[:-1], c[1:]), 1)
    return out


def dinucleotide_shuffle(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One dinucleotide shuffle of a code sequence (uint8 codes 0..4), drawn uniformly among all
    sequences with its dinucleotide counts and first letter.

    Parameters
    ----------
    codes : (L,) uint8 codes.
    rng : the generator to draw from (the same generator state gives the same shuffle).

    Returns
    -------
    (L,) uint8 codes with ``dinucleotide_counts`` equal to those of ``codes``.
    """
    codes = np.asarray(codes, dtype=np.uint8)
    n = codes.size
    if n < 3:
        return codes.copy()
    seq = codes.tolist()
    succ: dict[int, list[int]] = {}
    for a, b in zip(seq[:-1], seq[1:]):
        succ.setdefault(a, []).append(b)
    last = seq[-1]
    # 1. last-exit edges: Wilson's algorithm on the multigraph, rooted at the last letter
    in_tree = {last}
    nxt: dict[int, int] = {}
    for u in sorted(succ):
        cur = u
        while cur not in in_tree:
            out = succ[cur]
            nxt[cur] = out[int(rng.integers(len(out)))]
            cur = nxt[cur]
        cur = u
        while cur not in in_tree:
            in_tree.add(cur)
            cur = nxt[cur]
    # 2. each letter's other out-edges in random order, the last-exit edge last
    order: dict[int, list[int]] = {}
    for u in sorted(succ):
        edges = list(succ[u])
        if u != last:
            edges.remove(nxt[u])
        edges = [edges[i] for i in rng.permutation(len(edges))]
        if u != last:
            edges.append(nxt[u])
        order[u] = edges
    # 3. the walk
    pos = dict.fromkeys(order, 0)
    out = [seq[0]]
    for _ in range(n - 1):
        v = out[-1]
        out.append(order[v][pos[v]])
        pos[v] += 1
    return np.asarray(out, dtype=np.uint8)


def shuffle_rng(seed: int, *key: int) -> np.random.Generator:
    """The generator of one shuffle, from the run's seed and the shuffle's own key (e.g. the
    sequence's index and the copy's number), so one shuffle does not depend on any other."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), 0xD1C0, *map(int, key)]))
