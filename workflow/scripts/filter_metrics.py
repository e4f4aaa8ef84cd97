"""Rule filter_metrics (simulated data): the fraction of kernels matching JASPAR, matching a planted
motif (or its family), the planted motifs covered and the false-annotation rate, per method and
column distance -> match/filter_metrics.tsv."""

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.formats.meme import read_meme
    from danqmotifs.match import load_results
    from danqmotifs.sources.jaspar import read_family_table
    from danqmotifs.trust.filter_metrics import metrics_rows, write_metrics

    truth, _ = read_meme(sm.input.truth)
    results = {}
    for dist, f in zip(sm.params.distances, sm.input.results):
        results.setdefault(dist, {}).update(load_results(f))
    rows = metrics_rows(truth, results, sm.params.q_threshold, read_family_table(sm.input.families))
    write_metrics(rows, sm.output[0])
    for r in rows:
        print(f"{r['distance']} {r['method']}: {r['n_annotated']}/{r['n_kernels']} kernels annotated, "
              f"false-annotation rate {r['false_annotation_rate']}, planted covered {r['planted_covered']}"
              f"/{r['planted']}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
