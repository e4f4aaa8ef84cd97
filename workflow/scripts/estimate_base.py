"""Rule estimate_base: the maximum-likelihood base linking kernels to PWMs -> base.json + profile figure."""

import numpy as np

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.formats.base_json import write_base
from danqmotifs.model.kernels import read_kernels_file
from danqmotifs.motifs.mle import base_report, estimate_base
from danqmotifs.motifs.scoring import read_scores
from danqmotifs.report.plot.base import base_profile_figure

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    p = sm.params
    kf = read_kernels_file(sm.input.kernels, with_sequences=False)
    K = kf.W.shape[0]
    scan = read_scores(sm.input.scores, K=K)
    both = p.strands == "both"
    m = scan.best(both)
    fit = estimate_base(kf.W, m, kf.bias, p.sequences, p.base)
    options = {"sequences": p.sequences, "base": p.base, "strands": p.strands}
    report = base_report(fit, kf.W, m, kf.bias, options, m.shape[0])
    if fit.shared:
        print(f"ln b = {report['ln_b']:.8g} (b = {report['b']}), status {report['status']}, "
              f"dloglik = {report['dloglik']:.3g}")
    else:
        v = np.asarray(report["ln_b"])
        print(f"ln b per kernel: min {v.min():.4g}, median {np.median(v):.4g}, max {v.max():.4g}")
    if report["zero_base_kernels"]:
        print(f"NOTE: ln b = 0 (derivative <= 0 at 0: uniform PWMs) for kernels {report['zero_base_kernels']}")
    if report["unbounded_kernels"]:
        print(f"NOTE: the likelihood grows without bound (capped) for kernels {report['unbounded_kernels']}")
    if report["no_data_kernels"]:
        print(f"NOTE: no activated window, the shared base is used for kernels {report['no_data_kernels']}")
    write_base(sm.output.base, report)
    base_profile_figure(sm.output.profile, report)


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
