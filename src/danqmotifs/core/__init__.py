"""Foundations that belong to no stage and that every stage uses.

:mod:`.alphabet` (A, C, G, T, base codes, one-hot), :mod:`.errors` (:class:`~.errors.InputError`,
outputs that never exist half-written), :mod:`.motif` (the :class:`~.motif.Motif` PWM record),
:mod:`.pwm` (the exact transformation between a kernel and a PWM), :mod:`.metrics` (ROC and PR AUC),
:mod:`.config_defaults` (the schema's defaults, ``config_defaults.json``) and :mod:`.logsetup` (a
rule script's log). Nothing here imports another part of the package.
"""
