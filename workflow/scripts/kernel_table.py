"""Rule kernel_table: one row per kernel (base, activation, and each method's sites, information
content and consensus) -> motifs/kernel_table.tsv."""

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.formats.base_json import ln_b_per_kernel, read_base
from danqmotifs.formats.method_file import read_method_file
from danqmotifs.model.kernels import read_kernels_file
from danqmotifs.motifs.kernel_table import kernel_table, write_kernel_table
from danqmotifs.motifs.scoring import read_scores

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    kf = read_kernels_file(sm.input.kernels, with_sequences=False)
    K = kf.W.shape[0]
    base = read_base(sm.input.base)
    scan = read_scores(sm.input.scores, K=K)
    motifs = {m: read_method_file(f) for m, f in zip(sm.params.methods, sm.input.motifs)}
    cols, rows = kernel_table(kf.W, kf.bias, scan, base, ln_b_per_kernel(base, K, sm.input.base), motifs,
                              sm.params.activation_strands, kf.attrs.get("activation", "relu"))
    write_kernel_table(sm.output[0], cols, rows)
    print(f"{K} kernels, methods {', '.join(motifs)} -> {sm.output[0]}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
