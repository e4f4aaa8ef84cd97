"""Tomtom's text output (``tomtom -text``) from a :class:`~danqmotifs.tomtom.TomtomResult`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

COLUMNS = ["Query_ID", "Target_ID", "Optimal_offset", "p-value", "E-value", "q-value", "Overlap",
           "Query_consensus", "Target_consensus", "Orientation"]


def consensus(pwm) -> str:
    """Tomtom's consensus: the most probable letter of each row.

    As ``get_cons`` in tomtom.c: the running maximum is kept in single precision and a later letter
    wins when its (double) probability exceeds it, so ties go either way as in Tomtom. Tomtom
    applies it to the motifs after their pseudocount (see :func:`danqmotifs.tomtom.tomtom`).
    """
    pwm = np.asarray(getattr(pwm, "pwm", pwm), dtype=np.float64)
    out = []
    for row in pwm:
        best, mx = 0, np.float32(row[0])
        for j in range(1, 4):
            if row[j] > float(mx):
                best, mx = j, np.float32(row[j])
        out.append("ACGT"[best])
    return "".join(out)


def tomtom_table(result, query_ids: Sequence[str], target_ids: Sequence[str], query_pwms=None,
                 target_pwms=None, thresh: float = 0.5, evalue: bool = False):
    """Tomtom's text table: the pairs passing the threshold, per query best first.

    Parameters
    ----------
    result : the :class:`~danqmotifs.tomtom.TomtomResult` of these queries and targets.
    query_ids, target_ids : identifiers in the order given to :func:`~danqmotifs.tomtom.tomtom`.
    query_pwms, target_pwms : optional (L, 4) matrices for the consensus columns; by default the
        consensus sequences kept in ``result`` (of the motifs after their pseudocount, as Tomtom
        writes them). The target's consensus is of the strand aligned ('-': reverse complement).
    thresh, evalue : Tomtom's ``-thresh`` and ``-evalue``: keep q <= thresh (default) or, with
        ``evalue=True``, E <= thresh.

    Returns
    -------
    pandas.DataFrame with exactly Tomtom's columns (:data:`COLUMNS`); rows ordered as Tomtom
    writes them: by query, then p-value, larger overlap first, '+' before '-', target id.
    """
    import pandas as pd

    nq, nt = result.p_values.shape
    if len(query_ids) != nq or len(target_ids) != nt:
        raise ValueError(f"{len(query_ids)} query ids and {len(target_ids)} target ids for a "
                         f"{nq} x {nt} result")
    qcons = result.query_consensus if query_pwms is None else [consensus(m) for m in query_pwms]
    if target_pwms is None:
        tcons = result.target_consensus
    else:
        tp = [np.asarray(getattr(m, "pwm", m), dtype=np.float64) for m in target_pwms]
        tcons = [(consensus(m), consensus(m[::-1, ::-1])) for m in tp]
    if len(qcons) != nq or len(tcons) != nt:
        raise ValueError("give one matrix per query and per target, in the result's order")
    keep = (result.e_values if evalue else result.q_values) <= thresh
    rows = []
    for i in range(nq):
        js = np.flatnonzero(keep[i])
        order = sorted(js, key=lambda j: (result.p_values[i, j], -result.overlaps[i, j],
                                          int(result.orientations[i, j]), str(target_ids[j])))
        for j in order:
            o = int(result.orientations[i, j])
            rows.append((query_ids[i], target_ids[j], int(result.offsets[i, j]),
                         float(result.p_values[i, j]), float(result.e_values[i, j]),
                         float(result.q_values[i, j]), int(result.overlaps[i, j]), qcons[i],
                         tcons[j][o], "-" if o else "+"))
    return pd.DataFrame(rows, columns=COLUMNS)
