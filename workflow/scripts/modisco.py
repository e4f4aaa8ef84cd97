"""Rule modisco: TF-MoDISco (tfmodisco-lite) on each target's attributions -> the patterns
(modisco.h5), their PFMs trimmed by contribution as MEME (modisco.meme) and a summary."""

import json
from pathlib import Path

from danqmotifs.core.errors import atomic_output, run_guarded
from danqmotifs.core.logsetup import progress, script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    import h5py

    from danqmotifs.attribution.modisco import run_modisco, write_patterns
    from danqmotifs.formats.attributions import read_attributions
    from danqmotifs.formats.meme import write_meme
    from danqmotifs.sources.datafile import data_base_frequencies

    p = sm.params.modisco
    with h5py.File(sm.input.attributions, "r") as f:
        targets = [t.decode() if isinstance(t, bytes) else str(t) for t in f["targets"][()]]
        kind = str(f.attrs["kind"])
    patterns, per_target = [], {}
    for t in targets:
        x, hyp, _rows = read_attributions(sm.input.attributions, t, p["window"])
        pats = run_modisco(x, hyp, t, fdr=p["fdr"], max_seqlets=p["max_seqlets"], n_leiden=p["n_leiden"],
                           trim_threshold=p["trim_threshold"], log=progress)
        per_target[t] = dict(n_sequences=int(x.shape[0]), window=int(x.shape[1]),
                             patterns={q.id: q.n_seqlets for q in pats})
        patterns += pats
    write_patterns(sm.output.h5, patterns, attrs={"kind": kind, "fdr": float(p["fdr"])})
    bg = data_base_frequencies(sm.input.train)
    write_meme(sm.output.meme, [q.motif() for q in patterns], bg)
    summ = dict(kind=kind, settings=dict(p), targets=per_target, n_patterns=len(patterns))
    with atomic_output(sm.output.json) as tmp:
        Path(tmp).write_text(json.dumps(summ, indent=1) + "\n")
    progress(f"modisco: {len(patterns)} pattern(s) of {len(targets)} target(s) -> {sm.output.meme}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
