from pathlib import Path

from snakemake.utils import validate


validate(config, schema="../schemas/config.schema.yaml")

RESULTS = config["results"]
LOGS = f"{RESULTS}/logs"
BENCH = f"{RESULTS}/benchmarks"
SOURCE = config["data"]["source"]
SPLITS = ["train", "valid", "test"]

# Each rule file appends its end products here; `rule all` asks for all of them.
FINAL = []


def data_file(split):
    return f"{RESULTS}/data/{split}.h5"


def final_outputs():
    """What `snakemake` builds by default: every stage's end products."""
    return FINAL
