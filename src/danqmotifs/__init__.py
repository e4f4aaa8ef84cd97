"""danqmotifs: from the convolution kernels of a DanQ model to DNA sequence motifs.

One small module per step; workflow/scripts/*.py are thin wrappers around them.
Internal alphabet everywhere: A, C, G, T (see ``danqmotifs.alphabet``).
"""

__version__ = "0.1.0"
