# Kernel influence (Basset's filter influence): each first-layer kernel's activation replaced by its
# mean over a seeded sample of the evaluation split; the change of every target's predictions and
# ROC AUC (danqmotifs.influence).
#
#   model/best.keras + data/{split}.h5
#   -> eval/influence.tsv, influence_ranked.tsv, influence.json, influence.png      (influence)
#
# Runs when there is a model (model.source: train or file) and influence.enabled is on.

INFLUENCE_CFG = config["influence"]
INFLUENCE = HAS_MODEL and INFLUENCE_CFG["enabled"]

PATHS.update(
    {
        "influence_table": f"{RESULTS}/eval/influence.tsv",
        "influence_ranked": f"{RESULTS}/eval/influence_ranked.tsv",
        "influence_json": f"{RESULTS}/eval/influence.json",
        "influence_figure": f"{RESULTS}/eval/influence.png",
    }
)


def influence_outputs():
    """The influence rule's outputs when it runs (for the default target), else nothing."""
    keys = ("influence_table", "influence_ranked", "influence_json", "influence_figure")
    return [path(k) for k in keys] if INFLUENCE else []


if INFLUENCE:

    rule influence:
        input:
            model=path("model"),
            data=path(EVAL_CFG["split"]),
        output:
            table=report(
                path("influence_table"),
                caption="../report/influence.rst",
                category="Kernel influence",
            ),
            ranked=report(
                path("influence_ranked"),
                caption="../report/influence.rst",
                category="Kernel influence",
            ),
            json=path("influence_json"),
            figure=report(
                path("influence_figure"),
                caption="../report/influence.rst",
                category="Kernel influence",
            ),
        log:
            f"{LOGS}/influence.log",
        benchmark:
            f"{BENCH}/influence.tsv"
        # TRAIN_ENV (train.smk): "../../envs/train.yaml", or "../../envs/train_gpu.yaml" with train.gpus > 0
        conda:
            TRAIN_ENV
        threads: TRAIN_CFG["threads"]
        resources:
            **EVAL_RESOURCES[PRESET],
            gpu=TRAIN_CFG["gpus"],
        params:
            split=EVAL_CFG["split"],
            n_sequences=INFLUENCE_CFG["n_sequences"],
            batch_size=INFLUENCE_CFG["batch_size"],
            average_rc=EVAL_CFG["average_reverse_complement"],
            seed=config["seed"],
        script:
            "../scripts/influence.py"
