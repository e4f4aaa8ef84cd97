# The attribution route (attribution.enabled; needs a model): what the model reads in sequences,
# from its attributions rather than its first-layer kernels, matched beside the kernel methods.
#
#   model/best.keras + data/{attribution.split}.h5 + eval/{split}_auc.tsv (default targets)
#   -> attribution/attributions.h5, attributions.json                          (attribution:
#      in-silico mutagenesis or gradient x input of the chosen targets' logits, hypothetical)
#   -> attribution/modisco.h5, modisco.meme, modisco.json                      (modisco:
#      TF-MoDISco patterns per target, PFMs trimmed by their contribution)
#   -> match/modisco.{distance}.h5 (rule match_method, route name "modisco") -> best_matches.tsv

ATTR_CFG = config["attribution"]

if MODISCO:

    rule attribution:
        input:
            model=path("model"),
            data=path(ATTR_CFG["split"]),
            auc=path("auc_table"),
        output:
            h5=path("attributions"),
            json=path("attribution_json"),
        log:
            f"{LOGS}/attribution.log",
        benchmark:
            f"{BENCH}/attribution.tsv"
        # TRAIN_ENV (train.smk): "../../envs/train.yaml", or "../../envs/train_gpu.yaml" with train.gpus > 0
        conda:
            TRAIN_ENV
        threads: TRAIN_CFG["threads"]
        resources:
            **EVAL_RESOURCES[PRESET],
            gpu=TRAIN_CFG["gpus"],
        params:
            attribution=ATTR_CFG,
            split=ATTR_CFG["split"],
            average_rc=EVAL_CFG["average_reverse_complement"],
            seed=config["seed"],
            backend=TRAIN_CFG["backend"],
        script:
            "../scripts/attribution.py"

    rule modisco:
        input:
            attributions=path("attributions"),
            train=path("train"),
        output:
            h5=path("modisco_h5"),
            meme=path("modisco_meme"),
            json=path("modisco_json"),
        log:
            f"{LOGS}/modisco.log",
        benchmark:
            f"{BENCH}/modisco.tsv"
        conda:
            "../../envs/attrib.yaml"
        threads: 2
        resources:
            mem_mb=4000,
            runtime=60,
        params:
            modisco=ATTR_CFG["modisco"],
        script:
            "../scripts/modisco.py"
