"""Rule match_method: one method's motifs against the JASPAR database (Tomtom's algorithm,
memelite or the MEME suite's tomtom) -> match/{method}.h5 (every query x target comparison)."""

from danqmotifs.errors import run_guarded
from danqmotifs.logsetup import script_logging
from danqmotifs.match import match_motifs, save_results
from danqmotifs.meme import read_meme

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    p = sm.params.match
    method = sm.wildcards.method
    targets, _ = read_meme(sm.input.db)
    queries, _ = read_meme(sm.input.query)
    result = match_motifs(queries, targets, p["engine"], sm.input.query, sm.input.db, p["tomtom_args"],
                          n_jobs=sm.threads)
    save_results(sm.output[0], {method: result})
    print(f"{method}: {len(queries)} motifs x {len(targets)} targets ({p['engine']})")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
