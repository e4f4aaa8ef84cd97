"""The attribution route: what a trained model's logits attribute to each base, and TF-MoDISco's
motifs from that (motifs that are not kernels, matched and reported beside the kernel methods).

:mod:`.attribute` (in-silico mutagenesis and gradient x input, ``attribution/attributions.h5``) and
:mod:`.modisco` (TF-MoDISco's patterns as MEME PFMs). The names below are :mod:`.attribute`'s, so
``from danqmotifs.attribution import attribute_split`` reads as it did when it was one module; they
are looked up when first asked for, so importing :mod:`.modisco` (whose rule's environment has no
Keras) does not import :mod:`.attribute`.
"""

__all__ = ["KINDS", "LAYOUT", "attribute_split", "centre", "choose_targets", "gradient", "hypothetical", "ism",
           "ism_loop", "logit_model", "predict_logits", "read_attributions"]


def __getattr__(name):
    if name in __all__:
        from . import attribute

        return getattr(attribute, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
