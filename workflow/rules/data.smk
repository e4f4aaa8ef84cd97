# Data loading: one rule for every source, looked up in the registry of src/danqmotifs/sources
# (config keys it needs, input files, extra outputs, resources). All sources write
# results/data/{train,valid,test}.h5 in the layout of docs/design.md section 13.

DATA_CFG = config["data"][SOURCE.name]

for _problem in SOURCE.missing(DATA_CFG):
    raise WorkflowError(_problem)


rule load_data:
    input:
        **SOURCE.inputs(DATA_CFG),
    output:
        **{split: path(split) for split in SPLITS},
        **{name: path(name) for name in SOURCE.extra_outputs},
    log:
        f"{LOGS}/load_data.log",
    benchmark:
        f"{BENCH}/load_data.tsv"
    conda:
        "../../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, input: SOURCE.mem_mb(
            DATA_CFG, input_sizes(dict(input.items()))
        ),
        runtime=SOURCE.runtime,
    params:
        source=SOURCE.name,
        block=DATA_CFG,
        seed=config["seed"],
    script:
        "../scripts/load_data.py"
