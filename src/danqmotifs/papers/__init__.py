"""The two papers' studies, one sub-package each, with their plots beside them.

- :mod:`danqmotifs.papers.danq`: DanQ (Quang & Xie 2016): per-target AUCs against a published table,
  the published motif count.
- :mod:`danqmotifs.papers.k2p`: the exact kernel-to-PWM transformation (Ding et al.): the fidelity
  test (:mod:`~danqmotifs.papers.k2p.fidelity`) and the simulation study
  (:mod:`~danqmotifs.papers.k2p.simulation`).

A new figure of a paper goes into that paper's sub-package (computation and its ``plot`` module), its
rule into ``workflow/rules/`` and its config keys under ``figures:`` (docs/design.md, "Adding a figure").
"""
