"""The model: DanQ built (:mod:`.danq`), trained (:mod:`.training`), read and run.

:mod:`.danq` (the network, its presets, the DanQ-JASPAR initialisation), :mod:`.published` (DanQ's
published Keras 0.2 weights), :mod:`.modelio` (model files and inference), :mod:`.kernels` (the
first layer's kernels and the kernel file the motif stage starts from), :mod:`.model_import`
(``model.source: file | kernels``), :mod:`.evaluate` (per-target AUCs; the published tables are
:mod:`danqmotifs.formats.reference`'s), :mod:`.predict` and :mod:`.variants` (new sequences,
variant effects).

The names below are :mod:`.danq`'s, so ``from danqmotifs.model import build_model`` reads as it did
when the model was one module.
"""

from .danq import (CONV_ACTIVATIONS, LSTM_GATES, OVERRIDES, PRESETS, ModelSpec, build_model, count_params,
                   init_kernels_from_motifs, spec_from_config)

__all__ = ["CONV_ACTIVATIONS", "LSTM_GATES", "OVERRIDES", "PRESETS", "ModelSpec", "build_model", "count_params",
           "init_kernels_from_motifs", "spec_from_config"]
