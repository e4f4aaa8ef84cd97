"""What a run shows: the report's first page, the motif table, the logos and every figure.

:mod:`.findings` (the first page, "What the model learned"; ``python -m danqmotifs.report.findings
results-dir`` is what ``make report`` asks), :mod:`.motif_table` (one row per motif), :mod:`.logos`
(sequence logos of kernel motifs beside their matches) and :mod:`.plot` (the one matplotlib setup,
PNGs with fixed metadata, and the figures of the workflow and the papers).
"""
