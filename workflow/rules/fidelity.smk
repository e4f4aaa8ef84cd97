# The k2p fidelity test (docs/design.md sections 5 and 7), on by default: the model, and the model
# with its kernels replaced by the exact PWMs and by the heuristic PFMs, evaluated side by side.
#
#   model/best.keras + motifs/{kernels.h5, base.json, exact.h5, heuristic.h5} + data/{split}.h5
#   -> eval/fidelity.tsv, fidelity.json, fidelity.png                                    (fidelity)
#
# Runs when there is a model (model.source: train or file) and motifs.methods has both exact and
# heuristic; otherwise the rule does not exist and nothing asks for it.

if FIDELITY:

    rule fidelity:
        input:
            model=path("model"),
            kernels=path("kernels"),
            base=path("base"),
            exact=path("method_h5", method="exact"),
            heuristic=path("method_h5", method="heuristic"),
            data=path(EVAL_CFG["split"]),
        output:
            table=report(
                path("fidelity_table"),
                caption="../report/fidelity.rst",
                category="Fidelity",
            ),
            json=path("fidelity_json"),
            figure=report(
                path("fidelity_figure"),
                caption="../report/fidelity.rst",
                category="Fidelity",
            ),
        log:
            f"{LOGS}/fidelity.log",
        benchmark:
            f"{BENCH}/fidelity.tsv"
        # TRAIN_ENV (train.smk): "../../envs/train.yaml", or "../../envs/train_gpu.yaml" with train.gpus > 0
        conda:
            TRAIN_ENV
        threads: TRAIN_CFG["threads"]
        resources:
            **EVAL_RESOURCES[PRESET],
            gpu=TRAIN_CFG["gpus"],
        params:
            split=EVAL_CFG["split"],
            batch_size=EVAL_CFG["batch_size"],
            average_rc=EVAL_CFG["average_reverse_complement"],
            n_windows=100000,
            seed=config["seed"],
        script:
            "../scripts/fidelity.py"
