# The config checks that need the package (danqmotifs.run.workflow_checks): rule check_config, the
# first job of every run (priority; a target of rule all), local and light. The same checks run
# while the workflow is read when Snakemake's own Python has the package (common.smk), so a bad
# value stops even a dry run there, and again at the start of every job that starts from the config
# alone (the data, the JASPAR database, the k2p simulation's chunks: workflow_checks.check_in_job).
# Its stamp is no job's input: a job downstream of a rerun check_config, gated by ancient(), is
# not checked for its own changed settings by Snakemake (an edited config ran this job alone and
# left every result stale; tests/test_config_rerun.py).


envvars:
    "DANQMOTIFS_PIP",


localrules:
    check_config,


rule check_config:
    output:
        path("config_checked"),
    log:
        f"{LOGS}/check_config.log",
    benchmark:
        f"{BENCH}/check_config.tsv"
    priority: 100
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
