"""Rule motif_method: one motif method of the registry (danqmotifs.motifs.methods) applied to the kernels
-> motifs/{method}.h5 (one matrix per kernel) and motifs/{method}.json (the method's check or
summary; for exact, the check of the identity score = ln P / ln b + C, which stops the rule when it
fails)."""

import json
from pathlib import Path

import numpy as np

from danqmotifs.core.errors import InputError, atomic_output, run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.formats.base_json import read_base
from danqmotifs.formats.method_file import write_method_file
from danqmotifs.model.kernels import read_kernels_file
from danqmotifs.motifs import methods
from danqmotifs.motifs.scoring import read_scores

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    opts = sm.params.options
    methods.load_plugins(opts["plugins"])
    method = methods.get(sm.wildcards.method)
    kf = read_kernels_file(sm.input.kernels)
    W = kf.W.astype(np.float64)
    inputs = methods.MethodInputs(
        W=W, bias=kf.bias, codes=kf.codes,
        scan=read_scores(sm.input.scores, n=kf.codes.shape[0], K=W.shape[0]),
        base=read_base(sm.input.base), options=opts,
        paths={"kernels": sm.input.kernels, "scores": sm.input.scores, "base": sm.input.base})
    result = method.compute(inputs)
    if result.failure:
        raise InputError(sm.input.kernels, result.failure, f"see the log of the {method.name} method")
    write_method_file(sm.output.h5, result)
    with atomic_output(sm.output.report) as tmp:
        Path(tmp).write_text(json.dumps(result.report, indent=1) + "\n")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
