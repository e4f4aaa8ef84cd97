"""Rule planted_benchmark (simulated data only): is each planted motif the best JASPAR match of
some kernel (as the exact matrix, and at the TF-family level), for every motif method and under
every column distance matched? Table, figure (primary distance) and summary.json."""

import json
from pathlib import Path

from danqmotifs.core.errors import atomic_output, run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.formats.meme import read_meme
from danqmotifs.match import load_results
from danqmotifs.report.plot.matching import planted_figure
from danqmotifs.sources.jaspar import read_family_table
from danqmotifs.trust.planted import benchmark

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    import pandas as pd

    p = sm.params.match
    truth, _ = read_meme(sm.input.truth)
    results = {}
    for dist, f in zip(sm.params.distances, sm.input.results):
        results.setdefault(dist, {}).update(load_results(f))
    rows, summ = benchmark(truth, results, p["q_threshold"], p["evalue_threshold"],
                           read_family_table(sm.input.families))
    with atomic_output(sm.output.table) as tmp:
        pd.DataFrame(rows).to_csv(tmp, sep="\t", index=False, float_format="%.6g")
    primary = summ["distance"]
    planted_figure(sm.output.figure, [r for r in rows if r["distance"] == primary], list(results[primary]),
                   p["q_threshold"])
    if "fidelity" in sm.input.keys():     # the fidelity test's numbers (eval/fidelity.json)
        fid = json.loads(Path(sm.input.fidelity).read_text())
        summ["fidelity"] = {k: v for k, v in fid.items() if not isinstance(v, (dict, list))}
    with atomic_output(sm.output.summary) as tmp:
        Path(tmp).write_text(json.dumps(summ, indent=1, sort_keys=True) + "\n")
    for dist, d in summ["by_distance"].items():
        print(f"{dist}: " + " ".join(f"{k}={v}" for k, v in d.items() if k.startswith("recovered_"))
              + f" of {summ['planted']} planted")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
