"""danqmotifs: from the convolution kernels of a DanQ model to DNA sequence motifs.

One sub-package per pipeline stage, in the order the data flows (docs/design.md section 16), with
small modules inside; workflow/scripts/*.py are thin wrappers around them.
Internal alphabet everywhere: A, C, G, T (see ``danqmotifs.core.alphabet``).
"""

import os as _os

__version__ = "0.1.0"

# TensorFlow's C++ INFO and WARNING lines (CPU features, oneDNN notes, absl's "before
# InitializeLog" notice) are off unless the user sets TF_CPP_MIN_LOG_LEVEL: every workflow and
# console script imports this package before TensorFlow, so none of them can miss it. ERROR and
# FATAL lines, and every Python exception, still show.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
