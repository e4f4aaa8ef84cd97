"""Rule estimate_base: the maximum-likelihood base linking kernels to PWMs -> base.json + profile figure."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

import json

import numpy as np

from danqmotifs.errors import atomic_output, run_guarded
from danqmotifs.kernels import read_kernels_file
from danqmotifs.logsetup import script_logging
from danqmotifs.mle import base_report, estimate_base
from danqmotifs.scoring import read_scores

sm = snakemake  # noqa: F821  (injected by snakemake)


def plot_profile(path, report):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_kernel = isinstance(report["ln_b"], list)
    fig, axes = plt.subplots(1, 2 if per_kernel else 1, figsize=(10 if per_kernel else 5.5, 4), squeeze=False)
    ax = axes[0, 0]
    prof = report["profile"]
    ax.plot(prof["ln_b"], prof["loglik"], color="tab:blue")
    sh = report["shared_fit"]["ln_b"]
    ax.axvline(sh, color="tab:red", ls="--", label=f"shared optimum ln b = {sh:.3g}")
    ax.set_xlabel("ln b")
    ax.set_ylabel("log-likelihood (nats), one base for all kernels")
    ax.set_title(f"{report['K']} kernels, {report['n']} sequences, sequences: {report['options']['sequences']}",
                 fontsize=9)
    ax.legend(fontsize=8)
    if per_kernel:
        ax = axes[0, 1]
        ax.hist(np.asarray(report["ln_b"]), bins=30, color="tab:gray")
        ax.axvline(sh, color="tab:red", ls="--")
        ax.set_xlabel("ln b per kernel")
        ax.set_ylabel("kernels")
    fig.tight_layout()
    with atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=110, metadata={"Software": None})
    plt.close(fig)


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
    with atomic_output(sm.output.base) as tmp:
        Path(tmp).write_text(json.dumps(report, indent=1) + "\n")
    plot_profile(sm.output.profile, report)


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
