# Training and evaluation of DanQ.
#
#   data/{train,valid}.h5 -> model/best.keras, history.tsv, targets.txt, training_curves.png  (train)
#   model/best.keras + data/test.h5 -> eval/test_auc.tsv, eval/auc.png                        (evaluate)
#   model/best.keras + FASTA (evaluate.predict) -> predict/<name>.tsv                         (predict)
#
# A killed train job resumes from its last epoch checkpoint (model/checkpoint/, not an output) when
# run again. GPU: train.gpus is the one switch: the rules ask for `gpu` = train.gpus (0 by default)
# and use the CUDA build of TensorFlow when it is > 0; a profile asking for another number of GPUs
# for train/evaluate/predict is an error (danqmotifs.run.cluster, checked by rule check_config).

TRAIN_CFG = config["train"]
MODEL_CFG = config["model"]
EVAL_CFG = config["evaluate"]
PRESET = MODEL_CFG["preset"]
# the CUDA build of TensorFlow where GPUs are asked for, the CPU build otherwise
TRAIN_ENV = (
    "../../envs/train_gpu.yaml" if TRAIN_CFG["gpus"] > 0 else "../../envs/train.yaml"
)
# the profile's GPUs must agree with train.gpus, its set-threads must fit --cores: checked by
# danqmotifs.run.workflow_checks (common.smk, rule check_config)

# memory (MB) and time (minutes) per preset; profiles may override them per rule
TRAIN_RESOURCES = {
    "small": dict(mem_mb=4000, runtime=120),
    "danq": dict(mem_mb=16000, runtime=4320),
    "danq_jaspar": dict(mem_mb=24000, runtime=4320),
}
EVAL_RESOURCES = {
    "small": dict(mem_mb=4000, runtime=60),
    "danq": dict(mem_mb=8000, runtime=720),
    "danq_jaspar": dict(mem_mb=10000, runtime=720),
}

TRAIN_INPUTS = {"train": path("train"), "valid": path("valid")}
if PRESET == "danq_jaspar":
    TRAIN_INPUTS["init_motifs"] = path("jaspar_init")

    rule jaspar_init_motifs:
        output:
            path("jaspar_init"),
        log:
            f"{LOGS}/jaspar_init_motifs.log",
        benchmark:
            f"{BENCH}/jaspar_init_motifs.tsv"
        conda:
            "../../envs/data.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        params:
            model=MODEL_CFG,
        script:
            "../scripts/jaspar_init_motifs.py"


# model.source: file or kernels skip training (workflow/rules/model_source.smk)
if TRAINED:

    rule train:
        input:
            **TRAIN_INPUTS,
        output:
            model=path("model"),
            history=path("history"),
            targets=path("targets"),
            curves=report(
                path("curves"),
                caption="../report/training_curves.rst",
                category="Training",
            ),
        log:
            f"{LOGS}/train.log",
        benchmark:
            f"{BENCH}/train.tsv"
        conda:
            TRAIN_ENV
        threads: TRAIN_CFG["threads"]
        resources:
            **TRAIN_RESOURCES[PRESET],
            gpu=TRAIN_CFG["gpus"],
        params:
            model=MODEL_CFG,
            # train.replicates is not a setting of one training run (replicates.smk)
            train={k: v for k, v in TRAIN_CFG.items() if k != "replicates"},
            seed=config["seed"],
            checkpoint=path("checkpoint"),
        script:
            "../scripts/train.py"


rule evaluate:
    input:
        **(
            {"reference": EVAL_CFG["reference_auc"]}
            if EVAL_CFG["reference_auc"]
            else {}
        ),
        **REFERENCE_CHECKS,
        model=path("model"),
        data=path(EVAL_CFG["split"]),
    output:
        table=report(
            path("auc_table"),
            caption="../report/auc_table.rst",
            category="Training",
        ),
        figure=report(
            path("auc_figure"),
            caption="../report/auc.rst",
            category="Training",
        ),
    log:
        f"{LOGS}/evaluate.log",
    benchmark:
        f"{BENCH}/evaluate.tsv"
    conda:
        TRAIN_ENV
    threads: TRAIN_CFG["threads"]
    resources:
        **EVAL_RESOURCES[PRESET],
        gpu=TRAIN_CFG["gpus"],
    params:
        evaluate=EVAL_CFG,
        backend=TRAIN_CFG["backend"],
    script:
        "../scripts/evaluate.py"


# Prediction for new sequences: each FASTA of evaluate.predict gives predict/<name>.tsv, <name>
# being the file name without .fa/.fasta/.gz. Outside the workflow: the `predict` command.
PREDICT_FASTA = predict_fasta()

if PREDICT_FASTA:

    rule predict:
        input:
            model=path("model"),
            targets=path("targets"),
            fasta=lambda wc: PREDICT_FASTA[wc.name],
        output:
            PATHS["predict"],
        log:
            f"{LOGS}/predict_{{name}}.log",
        benchmark:
            f"{BENCH}/predict_{{name}}.tsv"
        wildcard_constraints:
            name="|".join(re.escape(n) for n in PREDICT_FASTA),
        conda:
            TRAIN_ENV
        threads: TRAIN_CFG["threads"]
        resources:
            **EVAL_RESOURCES[PRESET],
            gpu=TRAIN_CFG["gpus"],
        params:
            evaluate=EVAL_CFG,
            backend=TRAIN_CFG["backend"],
        script:
            "../scripts/predict.py"
