"""Rule load_fasta: a FASTA plus a TSV of labels -> the three data splits."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from danqmotifs.errors import run_guarded
from danqmotifs.logsetup import script_logging
from danqmotifs.sources.fasta import SPLITS, convert_fasta

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    p = sm.params.fasta
    plan = convert_fasta(sm.input.fasta, sm.input.labels, {s: sm.output[s] for s in SPLITS},
                         length=p["length"], resize=p["resize"], split_by=p["split_by"],
                         valid_ids=p["valid_ids"], test_ids=p["test_ids"],
                         valid_fraction=p["valid_fraction"], test_fraction=p["test_fraction"],
                         seed=sm.params.seed)
    for note in plan.notes:
        print(f"NOTE: {note}")
    for s in SPLITS:
        print(f"{s}: {plan.counts[s]} sequences x {plan.length} bp")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
