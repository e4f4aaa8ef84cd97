# The config checks that need the package (danqmotifs.workflow_checks): rule check_config, the
# first job of every run, local and light. Every rule that starts from the config alone (the data,
# the JASPAR database, the k2p simulation's chunks) takes its stamp as input, so no long job starts
# on a bad config. The same checks already run while the workflow is read when Snakemake's own
# Python has the package (common.smk), so a bad value stops even a dry run there.


envvars:
    "DANQMOTIFS_PIP",


# Input of every rule that starts from the config alone, so no job starts before check_config.
# ancient(): a rerun of the checks (after any config change) forces no other job to rerun.
CHECKED = ancient(PATHS["config_checked"])


localrules:
    check_config,


rule check_config:
    output:
        path("config_checked"),
    log:
        f"{LOGS}/check_config.log",
    benchmark:
        f"{BENCH}/check_config.tsv"
    conda:
        "../../envs/match.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        **CHECK_SETTINGS,
        config=config,
        workdir=str(Path.cwd()),
    script:
        "../scripts/check_config.py"
