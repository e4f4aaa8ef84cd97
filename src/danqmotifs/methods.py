"""Deprecated path of :mod:`danqmotifs.motifs.methods`, the registry of motif methods.

A ``motifs.plugins`` module written before the layout by stage does ``from danqmotifs.methods
import register``. Importing this path warns (``DeprecationWarning``, naming the new path) and then
*is* the new module, so a method registered through it lands in the one registry.
"""

import importlib as _importlib
import sys as _sys
import warnings as _warnings

_NEW = "danqmotifs.motifs.methods"
_warnings.warn(f"danqmotifs.methods is deprecated; import {_NEW} instead", DeprecationWarning, stacklevel=2)
_sys.modules[__name__] = _importlib.import_module(_NEW)
