"""Rule match_method: one method's motifs against the JASPAR database under one column distance
(Tomtom's algorithm: this package's engine, memelite or the MEME suite's tomtom)
-> match/{method}.{distance}.h5 (every query x target comparison)."""

from pathlib import Path

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import progress, script_logging
from danqmotifs.formats.meme import read_meme
from danqmotifs.match import empty_result, match_motifs, save_results
from danqmotifs.match.engines import resolve_engine, settings_for

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    p = sm.params.match
    method, distance = sm.wildcards.method, sm.wildcards.distance
    # the configured engine for match.distance; for the other distance (planted benchmark) the
    # same engine when it offers that distance, else auto
    engine, tomtom_args = settings_for(distance, p["engine"], p["tomtom_args"], p["distance"])
    targets, _ = read_meme(sm.input.db)
    if method == "modisco" and "\nMOTIF " not in Path(sm.input.query).read_text():
        # the attribution route found no pattern (attribution/modisco.json says why): an empty table
        progress(f"modisco: no pattern in {sm.input.query}: nothing to match")
        save_results(sm.output[0], {method: empty_result(targets, resolve_engine(engine, distance), distance)})
        return
    queries, background = read_meme(sm.input.query)
    progress(f"{method}: matching {len(queries)} motifs against {len(targets)} JASPAR motifs ({distance} "
             f"distance; a first run compiles the matching engine, a few minutes)")
    result = match_motifs(queries, targets, engine, sm.input.query, sm.input.db, tomtom_args,
                          n_jobs=sm.threads, distance=distance, background=background)
    save_results(sm.output[0], {method: result})
    progress(f"{method}: {len(queries)} motifs x {len(targets)} targets ({result.engine} engine, "
          f"{result.distance} distance)")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
