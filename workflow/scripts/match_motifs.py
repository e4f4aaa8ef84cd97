"""Rule match_motifs: exact and heuristic motifs against the JASPAR database (Tomtom's algorithm,
memelite or the MEME suite's tomtom); writes all pairs, the best match per kernel, the counts of
kernels matched (with the distance used), every p-value and a figure."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from danqmotifs.errors import atomic_output, run_guarded
from danqmotifs.logsetup import script_logging
from danqmotifs.match import (best_p_figure, best_table, match_motifs, match_table, save_results,
                              summary, write_table)
from danqmotifs.meme import read_meme

sm = snakemake  # noqa: F821  (injected by snakemake)
METHODS = ("exact", "heuristic")


def main():
    import pandas as pd

    p = sm.params.match
    targets, _ = read_meme(sm.input.db)
    results = {}
    for method in METHODS:
        queries, _ = read_meme(sm.input[method])
        results[method] = match_motifs(queries, targets, p["engine"], sm.input[method], sm.input.db,
                                       p["tomtom_args"], n_jobs=sm.threads)
        print(f"{method}: {len(queries)} motifs x {len(targets)} targets ({p['engine']})")
    write_table(pd.concat([match_table(r, m, p["max_q"]) for m, r in results.items()],
                          ignore_index=True), sm.output.matches)
    write_table(pd.concat([best_table(r, m) for m, r in results.items()], ignore_index=True),
                sm.output.best)
    s = summary(results, p["evalue_threshold"])
    with atomic_output(sm.output.summary) as tmp:
        Path(tmp).write_text(json.dumps(s, indent=1, sort_keys=True) + "\n")
    save_results(sm.output.pvalues, results)
    best_p_figure(sm.output.figure, results, p["evalue_threshold"])
    for m, d in s["methods"].items():
        print(f"{m}: {d['n_matched']}/{d['n_motifs']} kernels with a match at E < "
              f"{p['evalue_threshold']:g} ({s['distance']} distance)")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
