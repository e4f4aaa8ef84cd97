"""Rule kernels_to_pwms: exact PWMs (softmax of ln b * W), heuristic PFMs, the kernel table and the
exactness check (the rule fails if the identity score = ln P / ln b + C is off by more than 1e-9)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

import json

import h5py
import numpy as np

from danqmotifs.errors import InputError, atomic_output, run_guarded
from danqmotifs.heuristic import heuristic_counts
from danqmotifs.kernels import read_kernels_file
from danqmotifs.logsetup import script_logging
from danqmotifs.mle import ln_b_per_kernel
from danqmotifs.pwm import consensus, exactness_check, information_content, kernel_to_pwm
from danqmotifs.scoring import read_scores

sm = snakemake  # noqa: F821  (injected by snakemake)


def write_h5(path, datasets, attrs):
    with atomic_output(path) as tmp:
        with h5py.File(tmp, "w") as f:
            for k, v in datasets.items():
                f.create_dataset(k, data=v, track_times=False)
            for k, v in attrs.items():
                f.attrs[k] = v


def main():
    p = sm.params
    kf = read_kernels_file(sm.input.kernels)
    W = kf.W.astype(np.float64)
    K, L, _ = W.shape
    base = json.loads(Path(sm.input.base).read_text())
    v = ln_b_per_kernel(base, K, sm.input.base)
    scan = read_scores(sm.input.scores, n=kf.codes.shape[0], K=K)
    both = p.heuristic_strands == "both"
    if both and scan.m_rc is None:
        raise InputError(sm.input.scores, "no reverse-complement scores for heuristic_strands: both",
                         "rerun scan_kernels")

    # exact PWMs and the check of the identity on random windows
    P = kernel_to_pwm(W, v)
    check = exactness_check(W, P, v, n_windows=p.exactness_windows, seed=p.seed)
    check["tolerance"] = p.tolerance
    check["passed"] = bool(check["max_abs_error"] <= p.tolerance and check["max_pwm_error"] <= p.tolerance
                           and check["uniform_ok"])
    print(f"exactness: max |score - (ln P / ln b + C)| = {check['max_abs_error']:.3g} over "
          f"{check['n_windows']} random windows x {check['n_kernels_checked']} kernels")
    if check["uniform_kernels"]:
        print(f"NOTE: ln b = 0 for {len(check['uniform_kernels'])} kernel(s): uniform PWMs, identity void")
    with atomic_output(sm.output.exactness) as tmp:
        Path(tmp).write_text(json.dumps(check, indent=1) + "\n")
    if not check["passed"]:
        raise InputError(sm.input.kernels, f"the exact transformation failed its check: max abs error "
                         f"{check['max_abs_error']:.3g}, PWM error {check['max_pwm_error']:.3g} "
                         f"(tolerance {p.tolerance:g}; uniform rows ok: {check['uniform_ok']})",
                         "look for extreme kernel weights or ln b values in base.json; see exactness.json")
    nsites_exact = np.asarray(base.get("nsites", [kf.codes.shape[0]] * K), dtype=np.int64)
    write_h5(sm.output.pwms, {"PWM_tensor": P, "ln_b": v, "nsites": nsites_exact},
             {"orientation": "correlation", "alphabet": "ACGT", "base": base["options"]["base"],
              "sequences": base["options"]["sequences"], "strands": base["options"]["strands"],
              "max_abs_error": check["max_abs_error"]})

    # heuristic PFMs from the same sample and scan
    h = heuristic_counts(kf.codes, L, kf.bias, scan.m, scan.pos,
                         scan.m_rc if both else None, scan.pos_rc if both else None)
    Ph = h.pwm
    write_h5(sm.output.heuristic, {"counts": h.counts, "PWM_tensor": Ph, "nsites": h.nsites, "dead": h.dead,
                                   "max_activation": h.max_activation},
             {"orientation": "correlation", "alphabet": "ACGT", "strands": p.heuristic_strands})
    print(f"heuristic: {int(h.dead.sum())} dead kernel(s) of {K}; nsites median {int(np.median(h.nsites))}")

    # one row per kernel
    status = base.get("status")
    status = [status] * K if isinstance(status, str) else list(status or ["?"] * K)
    m_best = scan.best(base["options"]["strands"] == "both")
    ic_e, ic_h = information_content(P), information_content(Ph)
    cons_e, cons_h = consensus(P), consensus(Ph)
    cols = ["kernel", "ln_b", "base_status", "nsites_exact", "nsites_heuristic", "dead", "bias",
            "max_activation", "mean_best_score", "max_possible_score", "ic_exact", "ic_heuristic",
            "consensus_exact", "consensus_heuristic"]
    with atomic_output(sm.output.table) as tmp:
        with open(tmp, "w") as fh:
            fh.write("\t".join(cols) + "\n")
            for k in range(K):
                row = [k, f"{v[k]:.6g}", status[k], int(nsites_exact[k]), int(h.nsites[k]),
                       str(bool(h.dead[k])).lower(), f"{kf.bias[k]:.6g}", f"{h.max_activation[k]:.6g}",
                       f"{m_best[:, k].mean():.6g}", f"{W[k].max(axis=1).sum():.6g}", f"{ic_e[k]:.4f}",
                       f"{ic_h[k]:.4f}", cons_e[k], cons_h[k] if not h.dead[k] else "-"]
                fh.write("\t".join(str(x) for x in row) + "\n")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
