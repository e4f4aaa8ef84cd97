"""Real ChIP-seq peaks: does each motif method find the ChIP'd TF?

    PYTHONPATH=src .venv/bin/python benchmarks/bench_real.py [--sets ctcf p73] [--cores 2]
        [--keep DIR] [--variants default per_kernel both_strands trim] [--collect]

For each real set (config/real_<set>.yaml: peaks of data/real/, dinucleotide-shuffled negatives,
the default small model), runs the workflow once (training included) in a work directory of its
own with every motif method (exact, heuristic, exact_oops, refined), then reruns only the motif and
matching stages under each variant of the motif settings (``default``; ``per_kernel``: motifs.base
per_kernel; ``both_strands``: motifs.strands and heuristic_strands both; ``trim``: meme.trim) on
the same trained model. Per set, variant and method it reports, from the Tomtom results against
JASPAR2024 CORE vertebrates (results/match/pvalues.h5):

- ``family``: some kernel's best match at q < 0.05 shares a JASPAR TF family with the ChIP'd TF
  (CTCF: "More than 3 adjacent zinc fingers"; TAp73alpha: TP73's "p53-related factors");
- ``tf``: some kernel's best match at q < 0.05 is one of the TF's own matrices (CTCF, CTCFL;
  TP53, TP63, TP73);
- for the first kernel that finds the family (kernels ranked by the q of their best match): its
  rank, best target and q, and its motif's information content (bits over the uniform background);
- ``n_kernels``: kernels whose best significant match is in the family (a motif split across
  kernels shows as several), and ``best_family_q``: the lowest q of any family matrix for any kernel,
  best match or not (how far a missed family is from significance).

Also, per kernel whose heuristic PFM finds the family, every method's information content and
lowest family q for that kernel, the share of its information in the 10 columns where the
heuristic PFM (the kernel's sites) has the most, and its ln b (configured MLE and OOPS fit):
benchmarks/real_kernels.tsv.

Writes benchmarks/real.tsv and the table in benchmarks/out/real.json (benchmarks/run_all.py's format).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result, write_rows  # noqa: E402
ROOT = HERE.parent
Q = 0.05
METHODS = ("exact", "heuristic", "exact_oops", "refined")
CTCF = ("CTCF", ("CTCF", "CTCFL"), "MA0139")
P73 = ("TAp73alpha", ("TP53", "TP63", "TP73"), "MA0861")
#: set -> (config, its TFs: (label, JASPAR names of the TF's own matrices, a matrix naming its family))
SETS = {
    "ctcf": ("config/real_ctcf.yaml", [CTCF]),
    "p73": ("config/real_p73.yaml", [P73]),
    "both": ("config/real_both.yaml", [CTCF, P73]),      # two peak files, two targets, one model
}
VARIANTS = {
    "default": {},
    "per_kernel": {"motifs": {"base": "per_kernel"}},
    "both_strands": {"motifs": {"strands": "both", "heuristic_strands": "both"}},
    "trim": {"meme": {"trim": True}},
}


def information_content(pwm: np.ndarray) -> float:
    """Bits over the uniform background, summed over columns (:func:`column_ic`)."""
    return float(np.sum(column_ic(pwm)))


def overlay(name: str, variant: str) -> dict:
    cfg = yaml.safe_load((ROOT / SETS[name][0]).read_text())
    cfg["results"] = "results"
    cfg["data"]["peaks"]["peaks"] = [str(ROOT / p) for p in cfg["data"]["peaks"]["peaks"]]
    cfg.setdefault("motifs", {})["methods"] = list(METHODS)
    for section, keys in VARIANTS[variant].items():
        cfg.setdefault(section, {}).update(keys)
    return cfg


def run(name: str, variant: str, workdir: Path, cores: int) -> int:
    """The workflow up to the match summary (and the test AUC) in ``workdir`` under one variant."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "overlay.yaml").write_text(yaml.safe_dump(overlay(name, variant)))
    cmd = [str(Path(sys.executable).parent / "snakemake"), "results/match/match_summary.json",
           "results/eval/test_auc.tsv", "-s", str(ROOT / "Snakefile"), "--directory", str(workdir),
           "--cores", str(cores), "--rerun-incomplete", "--configfile", str(ROOT / "config.yaml"), str(workdir / "overlay.yaml")]
    t0 = time.perf_counter()
    with open(workdir / f"snakemake.{variant}.log", "w") as log:
        rc = subprocess.run(cmd, check=False, cwd=workdir, stdout=log, stderr=subprocess.STDOUT).returncode
    print(f"{name}/{variant}: rc {rc}, {time.perf_counter() - t0:.0f} s", flush=True)
    return rc


def families_table(path: Path) -> dict[str, set]:
    """matrix id (no version) -> its TF families (JASPAR's annotation, ';'-separated for dimers)."""
    out = {}
    with open(path) as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out[row["matrix_id"].split(".")[0]] = {f.strip().lower() for f in row["tf_family"].split(";")
                                                   if f.strip()}
    return out


def motif_pwms(meme_path: Path) -> dict[str, np.ndarray]:
    from danqmotifs.formats.meme import read_meme

    motifs, _ = read_meme(meme_path)
    return {m.id: np.asarray(m.pwm, float) for m in motifs}


def motif_ics(meme_path: Path) -> dict[str, float]:
    return {k: information_content(p) for k, p in motif_pwms(meme_path).items()}


CORE = 10


def column_ic(pwm: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(pwm, float), 1e-12, 1.0)
    return 2.0 + np.sum(p * np.log2(p), axis=1)


def core_share(pwm: np.ndarray, ref: np.ndarray) -> float:
    """Share of a motif's information in the CORE columns where ``ref`` (same width) has the most:
    where the kernel's sites are, by the heuristic PFM."""
    if pwm.shape != ref.shape:
        return float("nan")
    core = np.argsort(column_ic(ref))[::-1][:CORE]
    ic = column_ic(pwm)
    return float(ic[core].sum() / ic.sum()) if ic.sum() > 0 else float("nan")


def best_significant(res, fams: dict[str, set], fam: set, q: float = Q):
    """Per query of a match result: (best target index, -1 when none; its q (inf when none); the
    best match is significant at ``q``; the best match is in the JASPAR family ``fam``)."""
    from danqmotifs.match.result import best_indices

    in_fam = np.array([bool(fams.get(t.split(".")[0], set()) & fam) for t in res.target_ids])
    best = best_indices(res)
    k = np.arange(len(res.query_ids))
    ok = best >= 0
    qbest = np.where(ok, res.q_value[k, np.maximum(best, 0)], np.inf)
    sig = ok & (qbest < q)
    return best, qbest, sig, sig & in_fam[np.maximum(best, 0)], in_fam


def rows_of(name: str, variant: str, results: Path) -> list[dict]:
    """One row per method (see the module docstring)."""
    from danqmotifs.match import load_results

    fams = families_table(results / "match" / "jaspar_families.tsv")
    trimmed = VARIANTS[variant].get("meme", {}).get("trim", False)
    out = []
    found = sorted(load_results(results / "match" / "pvalues.h5").items(), key=lambda x: METHODS.index(x[0]))
    for (tf, own, fam_id), (method, res) in [(t, r) for t in SETS[name][1] for r in found]:
        is_tf = np.array([n.upper() in own for n in res.target_names])
        best, qbest, sig, fam_hit, in_fam = best_significant(res, fams, fams[fam_id])
        tf_hit = sig & is_tf[np.maximum(best, 0)]
        order = np.argsort(qbest, kind="stable")
        ics = motif_ics(results / "motifs" / f"{method}{'.trimmed' if trimmed else ''}.meme")
        row = {"set": name, "tf": tf, "variant": variant, "method": method,
               "family": int(fam_hit.any()), "tf_matrix": int(tf_hit.any()),
               "n_kernels": int(fam_hit.sum()), "n_significant": int(sig.sum()),
               "rank": "", "kernel": "", "target": "", "q": "", "ic_bits": "",
               "best_family_q": float(np.where(res.reported & in_fam[None, :], res.q_value, np.inf).min())}
        if fam_hit.any():
            r = int(np.flatnonzero(fam_hit[order])[0])
            i = int(order[r])
            row.update(rank=r + 1, kernel=res.query_ids[i], target=res.target_names[best[i]],
                       q=float(qbest[i]), ic_bits=round(ics.get(res.query_ids[i], float("nan")), 2))
        out.append(row)
    return out


def kernel_rows(name: str, variant: str, results: Path) -> list[dict]:
    """Per kernel whose heuristic PFM's best match is significant and in the TF's family: each
    method's information content and lowest family q for that kernel (best match or not), and
    the kernel's ln b under the configured MLE and the OOPS fit (the why of a miss)."""
    from danqmotifs.match import load_results

    fams = families_table(results / "match" / "jaspar_families.tsv")
    res = load_results(results / "match" / "pvalues.h5")
    if "heuristic" not in res:
        return []
    return [row for tf, _, fam_id in SETS[name][1]
            for row in _kernel_rows_tf(name, variant, results, fams, fams[fam_id], tf, res)]


def _kernel_rows_tf(name, variant, results, fams, fam, tf, res) -> list[dict]:
    import h5py

    from danqmotifs.match.result import best_indices

    trimmed = VARIANTS[variant].get("meme", {}).get("trim", False)
    pwms = {m: motif_pwms(results / "motifs" / f"{m}{'.trimmed' if trimmed else ''}.meme") for m in res}
    ics = {m: {k: information_content(p) for k, p in d.items()} for m, d in pwms.items()}
    h = res["heuristic"]
    in_fam = np.array([bool(fams.get(t.split(".")[0], set()) & fam) for t in h.target_ids])
    best = best_indices(h)
    k = np.arange(len(h.query_ids))
    hit = (best >= 0) & (h.q_value[k, np.maximum(best, 0)] < Q) & in_fam[np.maximum(best, 0)]
    base = json.loads((results / "motifs" / "base.json").read_text())
    v = np.broadcast_to(np.asarray(base["ln_b"], float), (len(h.query_ids),))
    oops = None
    if (results / "motifs" / "exact_oops.h5").exists():
        with h5py.File(results / "motifs" / "exact_oops.h5", "r") as f:
            oops = f["ln_b"][:]
    out = []
    for i in np.flatnonzero(hit):
        q = h.query_ids[i]
        row = {"set": name, "tf": tf, "variant": variant, "kernel": q, "ln_b": round(float(v[i]), 2),
               "ln_b_oops": round(float(oops[i]), 2) if oops is not None else ""}
        for m, r in res.items():
            j = r.query_ids.index(q) if q in r.query_ids else None
            fq = np.where(r.reported[j] & in_fam, r.q_value[j], np.inf).min() if j is not None else np.inf
            row[f"ic_{m}"] = round(ics[m].get(q, float("nan")), 2)
            row[f"family_q_{m}"] = float(f"{fq:.3g}")
            if q in pwms[m] and q in pwms["heuristic"]:
                row[f"core_share_{m}"] = round(core_share(pwms[m][q], pwms["heuristic"][q]), 2)
        out.append(row)
    return out


def base_of(results: Path) -> str:
    b = json.loads((results / "motifs" / "base.json").read_text())
    v = np.asarray(b["ln_b"], float)
    return f"{float(v):.2f}" if v.ndim == 0 else f"median {np.median(v):.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--keep", type=Path, default=None, help="work directories under DIR (kept)")
    ap.add_argument("--collect", action="store_true", help="run nothing; read what --keep holds "
                    "(needs every variant's copy, made by an earlier run)")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    base = (args.keep or Path(tempfile.mkdtemp(prefix="bench_real_"))).resolve()
    rows, krows, notes = [], [], {}
    t0 = time.perf_counter()
    for name in args.sets:
        work = base / name
        for variant in args.variants:
            copy = work / f"match.{variant}"
            if not args.collect:
                if run(name, variant, work, args.cores) != 0:
                    print(f"{name}/{variant} failed: {work}/snakemake.{variant}.log", file=sys.stderr)
                    continue
                if copy.exists():
                    shutil.rmtree(copy)
                copy.mkdir(parents=True)
                shutil.copytree(work / "results" / "match", copy / "match")
                shutil.copytree(work / "results" / "motifs", copy / "motifs",
                                ignore=shutil.ignore_patterns("*.png", "scores.h5"))
            if (copy / "match").exists():
                rows += rows_of(name, variant, copy)
                krows += kernel_rows(name, variant, copy)
                notes[f"{name}/{variant}"] = {"ln_b": base_of(copy)}
        auc = work / "results" / "eval" / "test_auc.tsv"
        if auc.exists():
            notes[name] = {"test_auc": "; ".join(" ".join(line.split("\t")[:2])
                                                  for line in auc.read_text().splitlines()[1:])}
    if not rows:
        sys.exit(f"no set finished; logs under {base}")
    write_rows(args.out / "real.tsv", rows)
    if krows:
        fields = sorted({k for r in krows for k in r}, key=lambda c: list(krows[0]).index(c)
                        if c in krows[0] else 99)
        write_rows(args.out / "real_kernels.tsv", krows, fields)
    figures = [{"what": f"{r['set']} ({r['tf']}), {r['variant']}, {r['method']}: kernels whose significant "
                        f"best match is in the TF's family (first: rank {r['rank'] or '-'}, "
                        f"q {_fmt(r['q'])}, {_fmt(r['ic_bits'])} bits)",
                "value": r["n_kernels"], "unit": "kernels"} for r in rows]
    write_result("real", figures, command="PYTHONPATH=src .venv/bin/python benchmarks/bench_real.py",
                 out_dir=args.out / "out", notes=notes, wall_s=time.perf_counter() - t0)
    print(markdown(rows))
    print(json.dumps(notes, indent=1))


def _fmt(x) -> str:
    return f"{x:.2g}" if isinstance(x, float) else (str(x) if x != "" else "-")


def markdown(rows: list[dict]) -> str:
    """The table of RESULTS.md: one line per set, variant and method."""
    cols = [("set", "set"), ("tf", "TF"), ("variant", "variant"), ("method", "method"), ("family", "family found"),
            ("tf_matrix", "TF's own matrix"), ("n_kernels", "kernels"), ("rank", "first: rank"),
            ("target", "first: match"), ("q", "first: q"), ("ic_bits", "first: IC (bits)"),
            ("best_family_q", "lowest family q")]
    lines = ["| " + " | ".join(h for _, h in cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(("yes" if r[c] else "no") if c in ("family", "tf_matrix")
                                       else _fmt(r[c]) for c, _ in cols) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
