"""The k2p paper's simulation benchmark over JASPAR matrices (docs/k2p_simulation.md).

Per JASPAR matrix M of width w, the authors' protocol: their 2,000 positive and 2,000 negative
50 bp sequences (a positive carries one instance of M at a uniform offset) and their unshuffled
stratified split; a one-kernel CNN (width w, ReLU, global max-pool, dense, sigmoid) trained as
Keras 1.0.4 did from one fixed initial draw per width, final weights kept; the exact PWM (base e)
and the heuristic PFM scored by maximal log-likelihood, a penalised logistic regression (caret plr,
5-fold CV) refitted on the train + validation scores and evaluated in-sample (AUROC of class
labels, AUPRC of probabilities); a paired one-sided Wilcoxon test over matrices. Beside it, the
project's held-out check: the test split, raw and regression-oriented scores, fixed and random
initialisation, split by the sign of the final dense weight.

Modules: ``settings`` (sizes, training settings, the config block's defaults), ``paper`` (the
authors' data draws, split, fixed initial draw and metrics), ``data`` (per-motif seeds, the random
draw's generators, a seeded random simulation used by the Keras reference tests), ``select``
(which matrices, chunks, data indices; the checks of bad input), ``trainer`` (a numba trainer of
many tiny models at once, with Keras 1.0.4's or Keras 3's behaviour), ``keras_reference`` (the same
model in Keras 3: the reference of the tests and the baseline of the benchmark), ``motifs`` (exact
and heuristic PWMs from a kernel), ``score`` (max log-likelihood, AUROC/AUPRC), ``plr`` (caret's
penalised logistic regression, vectorised), ``stats`` (the Wilcoxon summaries, bootstrap
intervals), ``run`` (one chunk end to end; the aggregate). Figures:
:mod:`danqmotifs.papers.k2p.simulation.plot`.
"""
