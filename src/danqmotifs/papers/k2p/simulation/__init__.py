"""The k2p paper's simulation benchmark over JASPAR matrices (docs/design.md section 12).

Per JASPAR matrix M of width w: 2,000 positive and 2,000 negative 50 bp sequences (a positive carries
one instance of M at a uniform offset), a one-kernel CNN (width w, ReLU, global max-pool, dense,
sigmoid) trained with RMSprop and early stopping, then three PWMs scored by each test sequence's
maximal log-likelihood: the exact PWM of the kernel (MLE base), the DeepBind-style heuristic PFM,
and the planted matrix itself. Over all motifs, a paired one-sided Wilcoxon signed-rank test.

Modules: ``settings`` (sizes, training settings, the config block's defaults), ``data`` (seeds,
simulation, split), ``select`` (which matrices, chunks; the checks of bad input), ``trainer`` (a
numba trainer of many tiny models at once, with Keras 3's semantics), ``keras_reference`` (the same
model in Keras: the reference of the tests and the baseline of the benchmark), ``motifs`` (exact
and heuristic PWMs from a kernel), ``score`` (max log-likelihood, AUROC/AUPRC), ``logistic`` (the
paper's optional logistic-regression scoring), ``stats`` (the Wilcoxon summary), ``run`` (one chunk
end to end; the aggregate). Figures: :mod:`danqmotifs.papers.k2p.simulation.plot`.
"""
