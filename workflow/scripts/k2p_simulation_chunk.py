"""Rule k2p_simulation_chunk: simulate, train and score one chunk of JASPAR matrices -> rows TSV."""

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.papers.k2p.simulation.run import run_chunk, write_rows
from danqmotifs.papers.k2p.simulation.select import chunk_motifs, data_indices
from danqmotifs.papers.k2p.simulation.settings import Settings
from danqmotifs.run.workflow_checks import check_in_job
from danqmotifs.sources.jaspar import fetch_collection

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    check_in_job(sm.config)  # the config checks, in this job too (no input gate: workflow_checks)
    cfg = sm.params.cfg
    settings = Settings.from_config(cfg["sizes"], cfg["training"])
    # the whole set, read once: the chunk's matrices, the Tomtom database, and the sorted ids
    # whose positions seed the data
    targets = fetch_collection(cfg["release"], cfg["collection"], cfg["tax_group"] or None)
    motifs = chunk_motifs(sm.params.ids, targets, cfg["release"])
    indices = data_indices(motifs, targets)
    print(f"chunk {sm.wildcards.chunk}: {len(motifs)} matrices of {cfg['release']}, config seed {sm.params.seed}, "
          f"{sm.threads} thread(s)")
    rows = run_chunk(motifs, settings, sm.params.seed, indices=indices, targets=targets if cfg["tomtom"] else None, threads=sm.threads,
                     init_seed=cfg["init_seed"], lr_seed=cfg["lr_seed"], random_starts=cfg["random_starts"])
    write_rows(rows, sm.output.rows)


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
