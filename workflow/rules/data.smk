# Data loading: one rule per source, all writing results/data/{train,valid,test}.h5 in the layout
# documented in src/danqmotifs/datafile.py. Only the configured source's rule is defined.

if SOURCE == "simulate":

    rule simulate_data:
        output:
            train=data_file("train"),
            valid=data_file("valid"),
            test=data_file("test"),
            truth=f"{RESULTS}/data/truth.meme",
        params:
            sim=config["data"]["simulate"],
            seed=config["seed"],
        log:
            f"{LOGS}/simulate_data.log",
        benchmark:
            f"{BENCH}/simulate_data.tsv"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=30,
        conda:
            "../../envs/data.yaml"
        script:
            "../scripts/simulate_data.py"


FINAL.extend(data_file(s) for s in SPLITS)
if SOURCE == "simulate":
    FINAL.append(f"{RESULTS}/data/truth.meme")
