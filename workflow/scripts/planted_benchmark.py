"""Rule planted_benchmark (simulated data only): is each planted motif the best JASPAR match of
some kernel, for the exact PWMs and for the heuristic? Table, figure and summary.json."""

import json
from pathlib import Path

from danqmotifs.errors import atomic_output, run_guarded
from danqmotifs.logsetup import script_logging
from danqmotifs.match import load_results
from danqmotifs.meme import read_meme
from danqmotifs.planted import benchmark
from danqmotifs.plot.matching import planted_figure

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    import pandas as pd

    p = sm.params.match
    truth, _ = read_meme(sm.input.truth)
    results = load_results(sm.input.pvalues)
    rows, summ = benchmark(truth, results, p["q_threshold"], p["evalue_threshold"])
    with atomic_output(sm.output.table) as tmp:
        pd.DataFrame(rows).to_csv(tmp, sep="\t", index=False, float_format="%.6g")
    planted_figure(sm.output.figure, rows, list(results), p["q_threshold"])
    with atomic_output(sm.output.summary) as tmp:
        Path(tmp).write_text(json.dumps(summ, indent=1, sort_keys=True) + "\n")
    print(" ".join(f"{k}={summ[k]}" for k in summ if k == "planted" or k.startswith("recovered_")),
          f"({summ['distance']} distance)")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
