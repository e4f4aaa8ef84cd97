"""Rule score_variants: per variant and target, the effect of the ALT allele on the predictions."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    import warnings

    from danqmotifs.model.training.runtime import configure_runtime
    from danqmotifs.model.variants import score_vcf

    v = sm.params.variants
    configure_runtime(0, sm.threads)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        counts = score_vcf(sm.input.model, sm.input.vcf, sm.input.genome, sm.output.tsv, sm.output.h5,
                           sm.output.skipped, v["batch_size"], sm.params.average_rc, v["chunk"], v["max_allele"],
                           sm.input.targets, log=lambda m: print(m, flush=True), genome_option="variants.genome")
    for w in caught:
        print(f"warning: {w.message}")
    print(f"{sm.input.vcf}: {counts['scored']} variants scored; not scored: {counts['ref_mismatch']} REF "
          f"mismatches, {counts['unknown_chrom']} unknown chromosomes, {counts['unsupported']} unsupported alleles")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
