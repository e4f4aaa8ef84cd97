"""Rule write_meme: one method's kernel motifs -> a MEME file (+ trimmed / reverse-complement
files when configured) and the table of kernels that got no motif (dead kernels)."""

from danqmotifs.core.errors import atomic_output, run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.formats.meme import kernel_ids, kernel_motifs, reverse_complement_motifs, trim_motif, write_meme
from danqmotifs.formats.method_file import read_method_file
from danqmotifs.motifs import methods
from danqmotifs.sources.datafile import data_base_frequencies

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    p = sm.params.meme
    methods.load_plugins(sm.params.plugins)
    method = methods.get(sm.wildcards.method)
    bg = data_base_frequencies(sm.input.train)
    pw = read_method_file(sm.input.pwms)
    ms = kernel_motifs(pw["pwms"], pw["nsites"], method.name, keep=pw["keep"])
    write_meme(sm.output.meme, ms, bg)
    print(f"{method.name}: {len(ms)} motifs -> {sm.output.meme}")
    if p["trim"]:
        trimmed = [trim_motif(m, p["trim_ic"], p["trim_min_width"], bg) for m in ms]
        write_meme(sm.output.meme_trimmed, trimmed, bg)
        widths = [m.width for m in trimmed]
        print(f"{method.name}: trimmed widths {min(widths)}..{max(widths)}")
    if p["reverse_complement"]:
        write_meme(sm.output.meme_rc, reverse_complement_motifs(ms), bg)
    ids = kernel_ids(pw["pwms"].shape[0])
    with atomic_output(sm.output.dead) as tmp:
        with open(tmp, "w") as fh:
            fh.write("kernel\tid\tnsites\treason\n")
            for k in range(len(ids)):
                if not pw["keep"][k]:
                    fh.write(f"{k}\t{ids[k]}\t{int(pw['nsites'][k])}\t{method.dead_reason}\n")
    print(f"{method.name}: kernels without a motif: {int((~pw['keep']).sum())}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
