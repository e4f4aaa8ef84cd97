# Variant effects (variants.vcf set; off by default):
#
#   model/best.keras + model/targets.txt + variants.vcf + variants.genome
#   -> variants/effects.tsv, effects.h5, skipped.tsv                            (score_variants)
#
# Per variant and target: the reference and alternative windows' probabilities, their absolute
# difference and the log-odds difference (danqmotifs.model.variants); reverse-complement averaging as
# evaluate.average_reverse_complement.

VARIANTS_CFG = config["variants"]
VARIANT_OUTPUTS = (
    [
        f"{RESULTS}/variants/{name}"
        for name in ("effects.tsv", "effects.h5", "skipped.tsv")
    ]
    if VARIANTS_CFG["vcf"]
    else []
)

if VARIANTS_CFG["vcf"]:
    if not VARIANTS_CFG["genome"] or not HAS_MODEL:
        raise WorkflowError(
            "config: variants.vcf is set, but variants.genome is empty or model.source: kernels gives "
            "no model. Fix: set variants.genome to the FASTA the VCF refers to and use a model "
            "(model.source: train or file), or empty variants.vcf."
        )

    rule score_variants:
        input:
            model=path("model"),
            targets=path("targets"),
            vcf=VARIANTS_CFG["vcf"],
            genome=VARIANTS_CFG["genome"],
        output:
            tsv=VARIANT_OUTPUTS[0],
            h5=VARIANT_OUTPUTS[1],
            skipped=VARIANT_OUTPUTS[2],
        log:
            f"{LOGS}/score_variants.log",
        benchmark:
            f"{BENCH}/score_variants.tsv"
        # TRAIN_ENV (train.smk): "../../envs/train.yaml", or "../../envs/train_gpu.yaml" with train.gpus > 0
        conda:
            TRAIN_ENV
        threads: TRAIN_CFG["threads"]
        resources:
            **EVAL_RESOURCES[PRESET],
            gpu=TRAIN_CFG["gpus"],
        params:
            variants=VARIANTS_CFG,
            average_rc=EVAL_CFG["average_reverse_complement"],
        script:
            "../scripts/score_variants.py"
