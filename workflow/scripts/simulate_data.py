"""Rule simulate_data: plant JASPAR motifs into random DNA; write the splits and truth.meme."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from danqmotifs.errors import run_guarded
from danqmotifs.jaspar import fetch_motifs
from danqmotifs.logsetup import script_logging
from danqmotifs.meme import write_meme
from danqmotifs.sources.simulate import SimSpec, resolve_pairs, simulate_split

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    p = sm.params.sim
    motifs = fetch_motifs(p["motif_ids"], p["jaspar_release"], where="data.simulate.motif_ids")
    spec = SimSpec(motifs, p["length"], p["gc"], p["motif_density"], p["label_noise"],
                   resolve_pairs(p["pairs"], motifs))
    for split in ("train", "valid", "test"):
        simulate_split(sm.output[split], spec, p[f"n_{split}"], sm.params.seed, split)
        print(f"{split}: {p[f'n_{split}']} sequences x {spec.length} bp, {len(spec.target_names())} targets")
    write_meme(sm.output.truth, motifs, spec.background())


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
