"""Kernels to motifs: the registry of motif methods and what they compute.

:mod:`.methods` (the registry: ``register``, ``METHODS``, plugins), :mod:`.scoring` (each kernel's
best window per sequence, ``motifs/scores.h5``), :mod:`.mle` (the base b of the exact method),
:mod:`.heuristic` (DeepBind's counts), :mod:`.refine` (``exact_oops``, ``refined``) and
:mod:`.kernel_table` (one row per kernel). The kernels themselves come from
:mod:`danqmotifs.model.kernels`; the kernel-to-PWM identity is :mod:`danqmotifs.core.pwm`.
"""
