# Which motifs to trust. Kernel influence (Basset's filter influence): each first-layer kernel's
# activation replaced by its mean over a seeded sample of the evaluation split; the change of every
# target's predictions and ROC AUC (danqmotifs.trust.influence). Per-kernel faithfulness: each method's
# motif against its kernel, alone (danqmotifs.trust.faithfulness). The motif table gathers both with the
# JASPAR matches and the logos (danqmotifs.report.motif_table).
#
#   model/best.keras + data/{split}.h5
#   -> eval/influence.tsv, influence_ranked.tsv, influence.json, influence.png      (influence)
#   + motifs/{kernels.h5, base.json, {method}.h5}
#   -> eval/faithfulness.tsv, faithfulness.json                                     (faithfulness)
#   eval/influence.tsv + faithfulness.tsv + match/best_matches.tsv + logos/
#   -> motif_table.tsv                                                              (motif_table)
# The report's first page and its motif table, with logos, are findings.smk's.
#
# Runs when there is a model (model.source: train or file) and influence.enabled is on.

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

    rule faithfulness:
        input:
            model=path("model"),
            kernels=path("kernels"),
            base=path("base"),
            methods=per_method("method_h5"),
            data=path(EVAL_CFG["split"]),
        output:
            table=report(
                path("faithfulness_table"),
                caption="../report/faithfulness.rst",
                category="Kernel influence",
            ),
            json=path("faithfulness_json"),
        log:
            f"{LOGS}/faithfulness.log",
        benchmark:
            f"{BENCH}/faithfulness.tsv"
        # TRAIN_ENV (train.smk): "../../envs/train.yaml", or "../../envs/train_gpu.yaml" with train.gpus > 0
        conda:
            TRAIN_ENV
        threads: TRAIN_CFG["threads"]
        resources:
            **EVAL_RESOURCES[PRESET],
            gpu=TRAIN_CFG["gpus"],
        params:
            methods=list(METHODS),
            n_sequences=INFLUENCE_CFG["n_sequences"],
            n_windows=INFLUENCE_CFG["faithfulness_windows"],
            batch_size=INFLUENCE_CFG["batch_size"],
            average_rc=EVAL_CFG["average_reverse_complement"],
            seed=config["seed"],
        script:
            "../scripts/faithfulness.py"

    rule motif_table:
        input:
            **({"reproducibility": path("reproducibility")} if REPRODUCIBILITY else {}),
            influence=path("influence_table"),
            faithfulness=path("faithfulness_table"),
            best=path("best"),
            logos=path("logos"),
        output:
            table=report(
                path("motif_table"),
                caption="../report/motif_table.rst",
                category="Motif table",
            ),
        log:
            f"{LOGS}/motif_table.log",
        benchmark:
            f"{BENCH}/motif_table.tsv"
        conda:
            "../../envs/match.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        params:
            method=list(METHODS)[0],
        script:
            "../scripts/motif_table.py"
