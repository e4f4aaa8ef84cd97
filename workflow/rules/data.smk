# Data loading: one rule per source, all writing results/data/{train,valid,test}.h5 in the layout
# documented in src/danqmotifs/datafile.py. Only the configured source's rule is defined.

import os

from snakemake.exceptions import WorkflowError

# Input paths each source needs; an empty one stops the workflow here with a clear message.
REQUIRED_INPUTS = {
    "deepsea": {f"{s}_mat": f"the path of DeepSEA's {s}.mat" for s in SPLITS},
    "fasta": {
        "fasta": "a FASTA (.fa or .fa.gz) of the sequences",
        "labels": "a TSV of labels (header: id, then the target names)",
    },
    "bed": {
        "bed": "a BED of regions with one 0/1 column per target",
        "genome": "the genome FASTA the BED refers to",
    },
}
for key, what in REQUIRED_INPUTS.get(SOURCE, {}).items():
    if not config["data"][SOURCE][key]:
        raise WorkflowError(
            f"config: data.{SOURCE}.{key} is empty, but data.source is '{SOURCE}'. "
            f"Fix: set data.{SOURCE}.{key} to {what}."
        )
DEEPSEA_INPUTS = {s: config["data"]["deepsea"][f"{s}_mat"] for s in SPLITS}
if config["data"]["deepsea"]["target_names"]:
    DEEPSEA_INPUTS["target_names"] = config["data"]["deepsea"]["target_names"]


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

elif SOURCE == "deepsea":

    rule convert_deepsea:
        input:
            unpack(lambda wildcards: DEEPSEA_INPUTS),
        output:
            train=data_file("train"),
            valid=data_file("valid"),
            test=data_file("test"),
        params:
            block_size=config["data"]["deepsea"]["block_size"],
        log:
            f"{LOGS}/convert_deepsea.log",
        benchmark:
            f"{BENCH}/convert_deepsea.tsv"
        threads: 1
        resources:
            # train.mat (HDF5) is read in blocks (~20 kB a sample); a MATLAB v5 file (valid, test)
            # is loaded whole: ~1.35 x its uncompressed size, unknown from a compressed file's size
            mem_mb=lambda wildcards, input: int(
                1000
                + config["data"]["deepsea"]["block_size"] * 20000 / 2**20
                + max(3000, 2 * max(os.path.getsize(input.valid), os.path.getsize(input.test)) / 2**20)
            ),
            runtime=240,
        conda:
            "../../envs/data.yaml"
        script:
            "../scripts/convert_deepsea.py"

elif SOURCE == "fasta":

    rule load_fasta:
        input:
            fasta=config["data"]["fasta"]["fasta"],
            labels=config["data"]["fasta"]["labels"],
        output:
            train=data_file("train"),
            valid=data_file("valid"),
            test=data_file("test"),
        params:
            fasta=config["data"]["fasta"],
            seed=config["seed"],
        log:
            f"{LOGS}/load_fasta.log",
        benchmark:
            f"{BENCH}/load_fasta.tsv"
        threads: 1
        resources:
            mem_mb=4000,
            runtime=60,
        conda:
            "../../envs/data.yaml"
        script:
            "../scripts/load_fasta.py"

elif SOURCE == "bed":

    rule load_bed:
        input:
            bed=config["data"]["bed"]["bed"],
            genome=config["data"]["bed"]["genome"],
        output:
            train=data_file("train"),
            valid=data_file("valid"),
            test=data_file("test"),
        params:
            bed=config["data"]["bed"],
        log:
            f"{LOGS}/load_bed.log",
        benchmark:
            f"{BENCH}/load_bed.tsv"
        threads: 1
        resources:
            mem_mb=4000,
            runtime=60,
        conda:
            "../../envs/data.yaml"
        script:
            "../scripts/load_bed.py"


FINAL.extend(data_file(s) for s in SPLITS)
if SOURCE == "simulate":
    FINAL.append(f"{RESULTS}/data/truth.meme")
