# Starting from an existing model (model.source, docs/design.md section 11):
#
#   model.source: file     model.file (.keras, or DanQ's published DanQ_bestmodel.hdf5) + data/valid.h5
#                          -> model/best.keras, model/targets.txt                       (import_model)
#                          then evaluate, predict, dump_kernels and fidelity read it as a trained model
#   model.source: kernels  model.file (HDF5 kernels + biases) -> dump_kernels reads them directly;
#                          no model: no evaluation, prediction, fidelity test or DanQ figures
#
# Training (rule train) runs only with model.source: train.

if not TRAINED and not MODEL_CFG["file"]:
    raise WorkflowError(
        f"config: model.source is {MODEL_SOURCE} but model.file is empty. Fix: set model.file to "
        "the model (.keras or DanQ_bestmodel.hdf5) or kernel file, or use model.source: train."
    )
if not HAS_MODEL and (EVAL_CFG["predict"] or DANQ_FIGURES):
    raise WorkflowError(
        "config: model.source: kernels gives no model, so evaluate.predict and figures.danq cannot "
        "run. Fix: empty evaluate.predict, set figures.danq.enabled: false, or give a model file "
        "(model.source: file)."
    )

# what dump_kernels reads: the model (trained or imported), or the kernel file itself
MODEL_OR_KERNELS = (
    {"model": path("model")} if HAS_MODEL else {"kernel_file": MODEL_CFG["file"]}
)

if MODEL_SOURCE == "file":

    rule import_model:
        input:
            model_file=MODEL_CFG["file"],
            data=path("valid"),
        output:
            model=path("model"),
            targets=path("targets"),
        log:
            f"{LOGS}/import_model.log",
        benchmark:
            f"{BENCH}/import_model.tsv"
        # TRAIN_ENV (train.smk): "../../envs/train.yaml", or "../../envs/train_gpu.yaml" with train.gpus > 0
        conda:
            TRAIN_ENV
        threads: TRAIN_CFG["threads"]
        resources:
            **EVAL_RESOURCES[PRESET],
        params:
            pool=MODEL_CFG["pool"],
        script:
            "../scripts/import_model.py"
