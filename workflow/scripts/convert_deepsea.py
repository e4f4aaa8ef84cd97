"""Rule convert_deepsea: DeepSEA's train/valid/test .mat files -> the three data splits."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from danqmotifs.errors import run_guarded
from danqmotifs.logsetup import script_logging
from danqmotifs.sources.deepsea import SPLITS, convert_deepsea

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    summaries = convert_deepsea({s: sm.input[s] for s in SPLITS}, {s: sm.output[s] for s in SPLITS},
                                sm.input.get("target_names"), sm.params.block_size, log=sys.stdout)
    for s in summaries:
        print(f"{s['split']}: {s['n']} sequences x {s['length']} bp, {s['n_targets']} targets "
              f"(second half reverse complements: {s['second_half_reverse_complement']})")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
