# Training and evaluation of DanQ.
#
#   data/{train,valid}.h5 -> model/best.keras, history.tsv, targets.txt, training_curves.png  (train)
#   model/best.keras + data/test.h5 -> eval/test_auc.tsv, eval/auc.png                        (evaluate)
#   model/best.keras + FASTA (evaluate.predict) -> predict/<name>.tsv                         (predict)
#
# A killed train job resumes from its last epoch checkpoint (model/checkpoint/, not an output) when
# run again. GPU: the rules ask for `gpu` = train.gpus (0 by default); a cluster profile can also set
# it per rule (set-resources: train: gpu: 1).

import re

from snakemake.exceptions import WorkflowError

TRAIN_CFG = config["train"]
MODEL_CFG = config["model"]
EVAL_CFG = config["evaluate"]
PRESET = MODEL_CFG["preset"]
MODEL_DIR = f"{RESULTS}/model"
# the CUDA build of TensorFlow where GPUs are asked for, the CPU build otherwise
TRAIN_ENV = "../../envs/train_gpu.yaml" if TRAIN_CFG["gpus"] > 0 else "../../envs/train.yaml"

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

TRAIN_INPUTS = {"train": data_file("train"), "valid": data_file("valid")}
if PRESET == "danq_jaspar":
    TRAIN_INPUTS["init_motifs"] = f"{MODEL_DIR}/jaspar_init.meme"

    rule jaspar_init_motifs:
        output:
            f"{MODEL_DIR}/jaspar_init.meme",
        params:
            model=MODEL_CFG,
        log:
            f"{LOGS}/jaspar_init_motifs.log",
        benchmark:
            f"{BENCH}/jaspar_init_motifs.tsv"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        conda:
            "../../envs/data.yaml"
        script:
            "../scripts/jaspar_init_motifs.py"


rule train:
    input:
        **TRAIN_INPUTS,
    output:
        model=f"{MODEL_DIR}/best.keras",
        history=f"{MODEL_DIR}/history.tsv",
        targets=f"{MODEL_DIR}/targets.txt",
        curves=report(
            f"{MODEL_DIR}/training_curves.png",
            caption="../report/training_curves.rst",
            category="Training",
        ),
    params:
        model=MODEL_CFG,
        train=TRAIN_CFG,
        seed=config["seed"],
        checkpoint=f"{MODEL_DIR}/checkpoint",
    log:
        f"{LOGS}/train.log",
    benchmark:
        f"{BENCH}/train.tsv"
    threads: TRAIN_CFG["threads"]
    resources:
        gpu=TRAIN_CFG["gpus"],
        **TRAIN_RESOURCES[PRESET],
    conda:
        TRAIN_ENV
    script:
        "../scripts/train.py"


rule evaluate:
    input:
        model=f"{MODEL_DIR}/best.keras",
        data=data_file(EVAL_CFG["split"]),
        **({"reference": EVAL_CFG["reference_auc"]} if EVAL_CFG["reference_auc"] else {}),
    output:
        table=f"{RESULTS}/eval/{EVAL_CFG['split']}_auc.tsv",
        figure=report(
            f"{RESULTS}/eval/auc.png",
            caption="../report/auc.rst",
            category="Training",
        ),
    params:
        evaluate=EVAL_CFG,
    log:
        f"{LOGS}/evaluate.log",
    benchmark:
        f"{BENCH}/evaluate.tsv"
    threads: TRAIN_CFG["threads"]
    resources:
        gpu=TRAIN_CFG["gpus"],
        **EVAL_RESOURCES[PRESET],
    conda:
        TRAIN_ENV
    script:
        "../scripts/evaluate.py"


# Prediction for new sequences: each FASTA of evaluate.predict gives predict/<name>.tsv, <name>
# being the file name without .fa/.fasta/.gz. Outside the workflow: the `predict` command.
PREDICT_FASTA = {}
for _fa in EVAL_CFG["predict"]:
    _name = re.sub(r"\.gz$", "", Path(_fa).name).rsplit(".", 1)[0]
    if _name in PREDICT_FASTA:
        raise WorkflowError(
            f"config: evaluate.predict names two FASTA files called {_name} "
            f"({PREDICT_FASTA[_name]}, {_fa}). Fix: rename one of them."
        )
    PREDICT_FASTA[_name] = _fa

if PREDICT_FASTA:

    rule predict:
        input:
            model=f"{MODEL_DIR}/best.keras",
            targets=f"{MODEL_DIR}/targets.txt",
            fasta=lambda wc: PREDICT_FASTA[wc.name],
        output:
            f"{RESULTS}/predict/{{name}}.tsv",
        wildcard_constraints:
            name="|".join(re.escape(n) for n in PREDICT_FASTA),
        params:
            evaluate=EVAL_CFG,
        log:
            f"{LOGS}/predict_{{name}}.log",
        benchmark:
            f"{BENCH}/predict_{{name}}.tsv"
        threads: TRAIN_CFG["threads"]
        resources:
            gpu=TRAIN_CFG["gpus"],
            **EVAL_RESOURCES[PRESET],
        conda:
            TRAIN_ENV
        script:
            "../scripts/predict.py"


FINAL.extend(
    [
        f"{MODEL_DIR}/best.keras",
        f"{MODEL_DIR}/history.tsv",
        f"{MODEL_DIR}/targets.txt",
        f"{MODEL_DIR}/training_curves.png",
        f"{RESULTS}/eval/{EVAL_CFG['split']}_auc.tsv",
        f"{RESULTS}/eval/auc.png",
    ]
)
FINAL.extend(f"{RESULTS}/predict/{n}.tsv" for n in PREDICT_FASTA)
