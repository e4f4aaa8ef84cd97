"""Rule scan_kernels: best window score and position of every kernel in every sampled sequence."""

import time

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.model.kernels import read_kernels_file
from danqmotifs.motifs.scoring import resolve_engine, scan_max, write_scores

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    p = sm.params
    kf = read_kernels_file(sm.input.kernels)
    both = "both" in (p.strands, p.heuristic_strands)
    engine = resolve_engine(p.engine)
    if engine == "numba":
        import numba

        numba.set_num_threads(max(1, min(sm.threads, numba.config.NUMBA_NUM_THREADS)))
    n, Ls = kf.codes.shape
    K, L, _ = kf.W.shape
    t0 = time.perf_counter()
    scan = scan_max(kf.codes, kf.W, both_strands=both, batch_size=p.batch_size, engine=engine)
    dt = time.perf_counter() - t0
    print(f"{n} sequences x {Ls} bp, {K} kernels x {L}, {'both strands' if both else 'forward strand'}: "
          f"scanned in {dt:.2f} s with the {engine} engine")
    write_scores(sm.output.scores, scan)


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
