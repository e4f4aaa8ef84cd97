# Reference AUC tables (evaluate.reference_auc, figures.danq.reference), read and checked first:
#
#   reference table (+ the data's target count where known in seconds)
#   -> checks/reference_{evaluate,danq}.json                                      (check_reference)
#
# evaluate and danq_figures take these checks as inputs; the checks run first (priority), so a
# table that cannot be read or matched to the targets fails in seconds, before any long job
# starts. train and import_model do not take them: a table edited later re-checks it and
# re-evaluates without retraining, and no ancient() gate masks the rerun of a job whose own
# settings changed (workflow_checks' docstring).

REFERENCE_FILES = {
    key: value
    for key, value in (
        ("evaluate", config["evaluate"]["reference_auc"]),
        (
            "danq",
            (
                config["figures"]["danq"]["reference"]
                if config["figures"]["danq"]["enabled"]
                else ""
            ),
        ),
    )
    if value
}
REFERENCE_CHECKS = {
    f"reference_check_{key}": f"{RESULTS}/checks/reference_{key}.json"
    for key in REFERENCE_FILES
}
# the inputs that give the target names without running the data stage (DATA_CFG: data.smk)
REFERENCE_TARGET_INPUTS = {
    key: DATA_CFG[key]
    for key in {"deepsea": ("test_mat", "target_names"), "fasta": ("labels",)}.get(
        SOURCE.name, ()
    )
    if DATA_CFG.get(key)
}


rule check_reference:
    input:
        unpack(
            lambda wc: {
                "reference": REFERENCE_FILES[wc.which],
                **REFERENCE_TARGET_INPUTS,
            }
        ),
    output:
        f"{RESULTS}/checks/reference_{{which}}.json",
    log:
        f"{LOGS}/check_reference_{{which}}.log",
    benchmark:
        f"{BENCH}/check_reference_{{which}}.tsv"
    wildcard_constraints:
        which="evaluate|danq",
    priority: 100
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        source=SOURCE.name,
        block=DATA_CFG,
    script:
        "../scripts/check_reference.py"
