"""The ``predict`` command: probabilities of a trained model for the sequences of a FASTA file or
of a DeepSEA-layout one-hot file (``--onehot``: DanQ's example.h5, DeepSEA's .mat files).

    predict --model results/model/best.keras --fasta new.fa --out new.tsv

See :func:`danqmotifs.model.predict.predict_fasta` for the formats, ``--resize`` and the target names.
"""

from __future__ import annotations

import os
import sys
from typing import Sequence

from ..sources.onehot import LAYOUTS
from . import check_paths, command, nonnegative_int, parser, positive_int


@command
def main(argv: Sequence[str] | None = None):
    """The ``predict`` command (a ``main(argv=None) -> int``, see :func:`danqmotifs.cli.command`)."""
    ap = parser("predict", "Probabilities of a trained DanQ model for the sequences of a FASTA file "
                "or a DeepSEA-layout one-hot file (TSV, or HDF5 for an .h5 output).", model=True)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--fasta", help="input FASTA (.fa or .fa.gz)")
    src.add_argument("--onehot", help="input one-hot sequences in DeepSEA's layout, no labels needed: HDF5 "
                     "(N, 4, L) as DanQ's example.h5, or a DeepSEA .mat file; channels A, G, C, T")
    ap.add_argument("--onehot-layout", choices=("auto",) + LAYOUTS, default="auto",
                    help="with --onehot: the order of the array's axes, N sequences, C the 4 channels, L "
                    "positions (DanQ's example.h5: NCL; an array saved from DeepSEA's train.mat with h5py: "
                    "LCN). Default auto: a MATLAB file's own, else the only order the shape and the model's "
                    "length fit (a shape several fit is refused)")
    ap.add_argument("--out", required=True, help="output .tsv, or .h5 for HDF5; - (or /dev/stdout) "
                    "writes the TSV to standard output")
    ap.add_argument("--targets", default=None, help="target names, one per line (default: targets.txt "
                    "beside the model)")
    ap.add_argument("--batch-size", type=positive_int, default=256,
                    help="sequences per batch (>= 1). Default: 256")
    ap.add_argument("--resize", choices=["none", "center"], default="none",
                    help="center: trim or pad (with N) records of another length around their centre")
    ap.add_argument("--no-reverse-complement", action="store_true",
                    help="do not average with the reverse complement's prediction")
    ap.add_argument("--threads", type=nonnegative_int, default=0,
                    help="CPU threads for TensorFlow (0: all)")
    ap.add_argument("--length", type=positive_int, default=None,
                    help="published weights file only: the input length in bp. Default: 1000 (DeepSEA's)")
    ap.add_argument("--pool", type=positive_int, default=None,
                    help="published weights file only: the max-pooling size. Default: the one that fits "
                    "the length (13 for DanQ at 1000 bp)")
    args = ap.parse_args(argv)
    check_paths({"--model": args.model, "--fasta": args.fasta, "--onehot": args.onehot,
                 "--targets": args.targets}, {"--out": args.out})
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from ..model.training.runtime import select_backend

    # the Keras backend (KERAS_BACKEND, default TensorFlow, an extra: pyproject.toml) is installed
    select_backend(None, source="KERAS_BACKEND")
    from ..model.predict import predict_fasta

    if args.threads:
        from ..model.training.runtime import set_threads

        set_threads(args.threads)
    n = predict_fasta(args.model, args.fasta or args.onehot, args.out, args.batch_size,
                      not args.no_reverse_complement, args.resize, args.targets,
                      length=args.length, pool=args.pool, onehot=args.onehot is not None,
                      onehot_layout=args.onehot_layout)
    where = "standard output" if args.out == "-" else args.out
    print(f"wrote predictions for {n} sequences to {where}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
