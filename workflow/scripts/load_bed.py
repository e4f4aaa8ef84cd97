"""Rule load_bed: labelled BED regions cut from a genome FASTA -> the three data splits."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from danqmotifs.errors import run_guarded
from danqmotifs.logsetup import script_logging
from danqmotifs.sources.bed import SPLITS, convert_bed

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    p = sm.params.bed
    summary = convert_bed(sm.input.bed, sm.input.genome, {s: sm.output[s] for s in SPLITS},
                          width=p["width"], test_chroms=p["test_chroms"], valid_chroms=p["valid_chroms"],
                          tmpdir=sm.resources.get("tmpdir"))
    print(f"{summary['n']} regions, {summary['targets']} targets, windows of {p['width']} bp")
    for s in SPLITS:
        print(f"{s}: {summary[s]} sequences")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
