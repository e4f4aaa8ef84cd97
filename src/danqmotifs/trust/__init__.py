"""Which motifs to trust: each answered from the model or from a known truth.

:mod:`.substitutes` (a first layer whose kernels a method's motifs replace), :mod:`.faithfulness`
(does each motif compute what its kernel computes), :mod:`.influence` (does the kernel matter, and
for which targets), :mod:`.replicates` (would another seed find it again), and on simulated data
:mod:`.planted` (are the planted motifs recovered) and :mod:`.filter_metrics` (the usual
filter-analysis counts, judged against the truth).
"""
