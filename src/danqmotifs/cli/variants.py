"""The ``score-variants`` command: the effect of each variant of a VCF on a trained model's
predictions (reference vs alternative window around the variant, per target).

    score-variants --model results/model/best.keras --vcf calls.vcf.gz --genome hg19.fa \\
        --tsv effects.tsv --h5 effects.h5

See :mod:`danqmotifs.model.variants` for the windows, the REF check and the columns.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Sequence

from . import check_paths, command, nonnegative_int, parser, positive_int


@command
def main(argv: Sequence[str] | None = None):
    """The ``score-variants`` command (a ``main(argv=None) -> int``, see :func:`danqmotifs.cli.command`)."""
    ap = parser("score-variants", "Per variant and target: the probabilities of the reference and the "
                "alternative window, their absolute difference and the log-odds difference (TSV and/or HDF5).",
                model=True)
    ap.add_argument("--vcf", required=True, help="the variants: VCF, plain or bgzip-compressed")
    ap.add_argument("--genome", required=True, help="the genome FASTA the VCF refers to (plain or bgzip; "
                    "its .fai is built if missing)")
    ap.add_argument("--tsv", default=None, help="output TSV, one row per variant and target ('-': standard output)")
    ap.add_argument("--h5", default=None, help="output HDF5: ref_prob, alt_prob, abs_diff, log_odds_diff (N, T)")
    ap.add_argument("--skipped", default=None, help="TSV of the variants not scored (REF mismatches, unknown "
                    "chromosomes, unsupported alleles). Default: beside --h5 or --tsv, .skipped.tsv")
    ap.add_argument("--targets", default=None, help="target names, one per line (default: targets.txt beside the model)")
    ap.add_argument("--batch-size", type=positive_int, default=256, help="windows per prediction batch. Default: 256")
    ap.add_argument("--chunk", type=positive_int, default=1024,
                    help="variants read, scored and written at a time (bounds memory). Default: 1024")
    ap.add_argument("--max-allele", type=positive_int, default=100,
                    help="longest REF or ALT scored (bp); longer indels are skipped. Default: 100")
    ap.add_argument("--no-reverse-complement", action="store_true",
                    help="do not average with the reverse complement's prediction")
    ap.add_argument("--threads", type=nonnegative_int, default=0, help="CPU threads for TensorFlow (0: all)")
    ap.add_argument("--length", type=positive_int, default=None,
                    help="published weights file only: the input length in bp. Default: 1000")
    ap.add_argument("--pool", type=positive_int, default=None, help="published weights file only: the pooling size")
    args = ap.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from ..core.errors import InputError

    if args.tsv is None and args.h5 is None:
        raise InputError("--tsv/--h5", "no output asked for", "give --tsv, --h5 or both")
    skipped = args.skipped
    if skipped is None:
        base = args.h5 if args.h5 else (args.tsv if args.tsv not in ("-", None) and not args.tsv.startswith("/dev/") else None)
        skipped = (str(base).rsplit(".", 1)[0] + ".skipped.tsv") if base else None
    check_paths({"--model": args.model, "--vcf": args.vcf, "--genome": args.genome, "--targets": args.targets},
                {"--tsv": args.tsv, "--h5": args.h5,
                 "--skipped" if args.skipped else "--skipped (default, beside --h5 or --tsv)": skipped})
    import importlib.util

    if importlib.util.find_spec("tensorflow") is None:
        raise InputError("tensorflow", "TensorFlow is not installed in this environment",
                         "install this package with pip install -e '.[cpu]' (or '.[gpu]')")
    if args.threads:
        from ..model.training.runtime import set_threads

        set_threads(args.threads)
    from ..model.variants import score_vcf

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        counts = score_vcf(args.model, args.vcf, args.genome, args.tsv, args.h5, skipped, args.batch_size,
                           not args.no_reverse_complement, args.chunk, args.max_allele, args.targets,
                           args.length, args.pool, log=lambda m: print(m, file=sys.stderr))
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    print(f"scored {counts['scored']} variants; not scored: {counts['ref_mismatch']} REF mismatches, "
          f"{counts['unknown_chrom']} unknown chromosomes, {counts['unsupported']} unsupported alleles",
          file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
