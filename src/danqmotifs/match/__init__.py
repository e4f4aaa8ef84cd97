"""Matching motifs against a motif database with Tomtom's algorithm.

Three engines give the same table, and ``auto`` picks one (``ENGINES``; config ``match.engine``):

- ``native``: this package's Tomtom (:mod:`danqmotifs.tomtom`, numba), both column distances
  (pearson, euclidean); it compiles for about 20 s once, then the compiled code is cached.
- ``memelite``: the Tomtom algorithm as re-implemented by memelite (numba; euclidean distance only).
- ``meme``: the MEME suite's ``tomtom`` binary (found on PATH), run with user arguments, its
  tab-separated output parsed.
- ``auto``: ``native`` for pearson, ``memelite`` for euclidean.

Conventions of the table (one row per query/target pair):

- ``p_value``: the p-value of the best alignment over offsets and both strands of the target.
- ``e_value`` = p x number of targets; ``q_value``: Benjamini-Hochberg over the query's p-values
  against every target (memelite); for ``native`` and ``meme``, Tomtom's q-value.
- ``offset``: query column i faces target column i + offset (the target reverse-complemented when
  ``orientation`` is '-'); ``overlap``: aligned columns.

Every count of matched motifs states the distance it used: with the euclidean distance, wide
low-information motifs match something at E < 0.01 almost always.

Modules: :mod:`.result` (the comparison matrices), :mod:`.engines` (running the engines),
:mod:`.tables` (TSV tables and the summary), :mod:`.store` (all p-values in HDF5). The
``motif-match`` command is ``danqmotifs.cli.match``; the figure is ``danqmotifs.report.plot.matching``.
"""

from .engines import ENGINES, match_motifs
from .result import MatchResult, best_indices, bh_qvalues, count_matched, empty_result
from .store import load_results, save_results
from .tables import COLUMNS, best_table, match_table, read_table, summary, write_table

__all__ = ["COLUMNS", "ENGINES", "MatchResult", "best_indices", "best_table", "bh_qvalues", "count_matched", "empty_result",
           "load_results", "match_motifs", "match_table", "read_table", "save_results", "summary",
           "write_table"]
