"""Rule dump_kernels: the first-layer kernels of the best model and the sequence sample -> kernels.h5."""

from danqmotifs.core.errors import InputError, run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.model.kernels import read_sample, write_kernels_file
from danqmotifs.model.modelio import kernels_from_file, load_model_kernels

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    p = sm.params
    if "kernel_file" in sm.input.keys():        # model.source: kernels
        m = p.model
        source = sm.input.kernel_file
        ks = kernels_from_file(source, m["kernel_convention"], m["kernel_dataset"], m["bias_dataset"])
    else:
        source = sm.input.model
        ks = load_model_kernels(source)
    K, L, _ = ks.W.shape
    print(f"{source}: {ks.layer}: {K} kernels x {L} rows, activation {ks.activation}")
    for note in ks.notes:
        print(f"note: {note}")
    if p.sample_file:
        from danqmotifs.sources.onehot import sample_onehot

        codes, rows, info = sample_onehot(sm.input.data, p.n_sequences, p.seed)
    else:
        codes, rows, info = read_sample(sm.input.data, p.n_sequences, p.seed, p.positive_for)
    if codes.shape[1] < L:
        raise InputError(sm.input.data, f"sequences are {codes.shape[1]} bp, shorter than the kernels ({L})",
                         "use data with sequences at least as long as the first-layer kernels")
    if "note" in info:
        print(f"note: {info['note']}")
    print(f"sample: {info['n_used']} of {info['n_candidates']} candidate sequences "
          f"({info['n_rows']} in " + (f"{p.sample_file}" if p.sample_file else f"the {p.split} split")
          + (f"; positive for any of {', '.join(p.positive_for)}" if p.positive_for else "") + ")")
    write_kernels_file(sm.output[0], ks.W, ks.bias, codes, rows, attrs={
        "source_model": str(source), "layer": ks.layer, "activation": ks.activation,
        "split": f"file:{p.sample_file}" if p.sample_file else p.split, "seed": int(p.seed),
        "n_requested": int(p.n_sequences), "positive_for": list(p.positive_for)})


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
