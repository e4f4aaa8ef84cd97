"""Matching motifs against a motif database with Tomtom's algorithm.

Two engines give the same table:

- ``memelite``: the Tomtom algorithm re-implemented with numba (euclidean distance only). Its first
  call in a fresh environment compiles for about 90 s; the compiled code is cached beside the
  package (site-packages), so later calls start in a second.
- ``meme``: the MEME suite's ``tomtom`` binary (found on PATH), run with user arguments, its
  tab-separated output parsed.

Conventions of the table (one row per query/target pair):

- ``p_value``: the p-value of the best alignment over offsets and both strands of the target.
- ``e_value`` = p x number of targets; ``q_value``: Benjamini-Hochberg over the query's p-values
  against every target (memelite); for the ``meme`` engine, Tomtom's own q-value.
- ``offset``: query column i faces target column i + offset (the target reverse-complemented when
  ``orientation`` is '-'); ``overlap``: aligned columns.

Every count of matched motifs states the distance it used: with the euclidean distance, wide
low-information motifs match something at E < 0.01 almost always.

Modules: :mod:`.result` (the comparison matrices), :mod:`.engines` (running the engines),
:mod:`.tables` (TSV tables and the summary), :mod:`.store` (all p-values in HDF5). The
``motif-match`` command is ``danqmotifs.cli.match``; the figure is ``danqmotifs.plot.matching``.
"""

from .engines import ENGINES, match_motifs
from .result import MatchResult, best_indices, bh_qvalues, count_matched, empty_result
from .store import load_results, save_results
from .tables import COLUMNS, best_table, match_table, read_table, summary, write_table

__all__ = ["COLUMNS", "ENGINES", "MatchResult", "best_indices", "best_table", "bh_qvalues", "count_matched", "empty_result",
           "load_results", "match_motifs", "match_table", "read_table", "save_results", "summary",
           "write_table"]
