"""Rule match_summary: every method's matches in one table, the best match per kernel, the counts
of kernels matched (with the distance used), every p-value in one file and a figure."""

import json
from pathlib import Path

from danqmotifs.core.errors import atomic_output, run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.match import best_table, load_results, match_table, save_results, summary, write_table
from danqmotifs.report.plot.matching import best_p_figure

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    import pandas as pd

    p = sm.params.match
    results = {}
    for f in sm.input.results:
        results.update(load_results(f))
    write_table(pd.concat([match_table(r, m, p["max_q"]) for m, r in results.items()], ignore_index=True),
                sm.output.matches)
    write_table(pd.concat([best_table(r, m) for m, r in results.items()], ignore_index=True), sm.output.best)
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
