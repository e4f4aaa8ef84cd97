"""Rule logos: one PNG per kernel, exact and heuristic motifs side by side, each above its best
JASPAR match aligned by Tomtom's offset and orientation."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from danqmotifs.errors import run_guarded
from danqmotifs.logos import kernel_panels, render_logos
from danqmotifs.logsetup import script_logging
from danqmotifs.match import read_table
from danqmotifs.meme import read_meme

sm = snakemake  # noqa: F821  (injected by snakemake)
METHODS = ("exact", "heuristic")


def main():
    import pandas as pd

    queries = {m: read_meme(sm.input[m])[0] for m in METHODS}
    targets = {t.id: t for t in read_meme(sm.input.db)[0]}
    best_df = read_table(sm.input.best)
    best = {m: {r["query"]: r for r in best_df[best_df["method"] == m].to_dict("records")}
            for m in METHODS}
    dead = pd.read_csv(sm.input.dead, sep="\t", dtype={"id": str})
    notes = {"heuristic": {i: "dead kernel (never activated)" for i in dead["id"]}}
    panels = kernel_panels(queries, best, targets, notes)
    paths = render_logos(sm.output.logos, panels, sm.params.q_threshold, threads=sm.threads)
    print(f"{len(paths)} kernel logos -> {sm.output.logos}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
