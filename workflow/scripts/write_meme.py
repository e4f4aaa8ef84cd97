"""Rule write_meme: exact and heuristic kernel PWMs -> MEME files (+ trimmed / reverse-complement
files when configured, and the table of dead kernels that get no heuristic motif)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from danqmotifs.datafile import data_base_frequencies
from danqmotifs.errors import InputError, atomic_output, run_guarded
from danqmotifs.logsetup import script_logging
from danqmotifs.meme import (kernel_ids, kernel_motifs, read_kernel_pwms, reverse_complement_motifs,
                             trim_motif, write_meme)

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    p = sm.params.meme
    bg = data_base_frequencies(sm.input.train)
    exact = read_kernel_pwms(sm.input.pwms)
    heur = read_kernel_pwms(sm.input.heuristic, dead_key="dead")
    if exact["pwms"].shape[0] != heur["pwms"].shape[0]:
        raise InputError(sm.input.heuristic, f"{heur['pwms'].shape[0]} kernels, but {sm.input.pwms} "
                         f"has {exact['pwms'].shape[0]}", "rerun the motif stage on one model")
    motifs = {
        "exact": kernel_motifs(exact["pwms"], exact["nsites"], "exact"),
        "heuristic": kernel_motifs(heur["pwms"], heur["nsites"], "heuristic", keep=heur["keep"]),
    }
    for method, ms in motifs.items():
        write_meme(sm.output[method], ms, bg)
        print(f"{method}: {len(ms)} motifs -> {sm.output[method]}")
        if p["trim"]:
            trimmed = [trim_motif(m, p["trim_ic"], p["trim_min_width"], bg) for m in ms]
            write_meme(sm.output[f"{method}_trimmed"], trimmed, bg)
            widths = [m.width for m in trimmed]
            print(f"{method}: trimmed widths {min(widths)}..{max(widths)}")
        if p["reverse_complement"]:
            write_meme(sm.output[f"{method}_rc"], reverse_complement_motifs(ms), bg)
    ids = kernel_ids(heur["pwms"].shape[0])
    with atomic_output(sm.output.dead) as tmp:
        with open(tmp, "w") as fh:
            fh.write("kernel\tid\tnsites\treason\n")
            for k in range(len(ids)):
                if not heur["keep"][k]:
                    fh.write(f"{k}\t{ids[k]}\t{int(heur['nsites'][k])}\tnever activated: no site "
                             f"to stack, so no heuristic motif\n")
    print(f"dead kernels (no heuristic motif): {int((~heur['keep']).sum())}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
