"""The attribution route beside the kernel methods: which route names each ChIP'd or planted TF, at
what q, and what the route costs.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_attribution.py [--sets ctcf p73 default]
        [--work DIR] [--cores 2] [--collect]

For each set (``ctcf``, ``p73``: config/real_<set>.yaml, the real peaks of the real-data benchmark;
``default``: config.yaml, the simulated default with its planted motifs) the workflow runs twice in
a work directory of its own (``--work``, default /tmp/bench_attribution/<set>; a finished run there
is reused): first as configured (the default run), then with ``attribution.enabled`` (on the real
sets ``attribution.split: train``, as config/real_ctcf_modisco.yaml: their test chromosomes hold few
peaks), which adds only the attribution, modisco and modisco matching jobs. Reported per set:

- per TF (the ChIP'd TF; on the simulated set every planted motif) and per route (the kernel methods
  and ``modisco``): ``tf``, some query's best JASPAR match at q < 0.05 is one of the TF's own
  matrices (the planted matrix itself on simulated data), with the lowest such q; ``family``, some
  query's best significant match shares a JASPAR TF family with it, with the lowest q;
- cost: the attribution job's seconds per 1,000 sequences, modisco's per 1,000 sequences (summed over
  targets), their peak memory (Snakemake's benchmark files: max RSS), and the route's added job time
  against the default run's summed job time (the ``<= 25%`` rule for turning it on by default).

Writes benchmarks/attribution.tsv (the route table) and benchmarks/out/attribution.json
(run_all.py's format: ``.venv/bin/python benchmarks/run_all.py --only attribution --collect`` puts it
into RESULTS.md). Each set's numbers are written as soon as it finishes; ``partial`` names the sets
that did not.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from result_file import job_times, write_result, write_rows  # noqa: E402

ROOT = HERE.parent
Q = 0.05
#: set -> (config, its ChIP'd TFs: (label, JASPAR names of the TF's own matrices, a matrix of its family))
SETS = {
    "ctcf": ("config/real_ctcf.yaml", [("CTCF", ("CTCF", "CTCFL"), "MA0139")]),
    "p73": ("config/real_p73.yaml", [("TAp73alpha", ("TP53", "TP63", "TP73"), "MA0861")]),
    "default": ("config.yaml", None),       # the planted motifs of results/data/truth.meme
}
ATTR_JOBS = ("attribution.tsv", "modisco.tsv")


def overlay(name: str, attribution: bool) -> dict:
    cfg = yaml.safe_load((ROOT / SETS[name][0]).read_text())
    cfg["results"] = "results"
    if cfg["data"]["source"] == "peaks":
        cfg["data"]["peaks"]["peaks"] = [str(ROOT / p) for p in cfg["data"]["peaks"]["peaks"]]
    att = cfg.setdefault("attribution", {})
    att["enabled"] = attribution
    if cfg["data"]["source"] == "peaks":
        att["split"] = "train"
    return cfg


def run(name: str, attribution: bool, work: Path, cores: int) -> tuple[int, float]:
    work.mkdir(parents=True, exist_ok=True)
    tag = "attribution" if attribution else "base"
    (work / f"overlay.{tag}.yaml").write_text(yaml.safe_dump(overlay(name, attribution)))
    cmd = [str(Path(sys.executable).parent / "snakemake"), "-s", str(ROOT / "Snakefile"), "--directory",
           str(work), "--cores", str(cores), "--rerun-incomplete", "--configfile", str(ROOT / "config.yaml"),
           str(work / f"overlay.{tag}.yaml")]
    t0 = time.perf_counter()
    with open(work / f"snakemake.{tag}.log", "w") as log:
        rc = subprocess.run(cmd, cwd=work, stdout=log, stderr=subprocess.STDOUT, check=False).returncode
    dt = time.perf_counter() - t0
    print(f"{name}/{tag}: rc {rc}, {dt:.0f} s", flush=True)
    return rc, dt


def families(path: Path) -> dict[str, set]:
    out = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out[row["matrix_id"].split(".")[0]] = {f.strip().lower() for f in row["tf_family"].split(";") if f.strip()}
    return out


def tfs_of(name: str, results: Path) -> list[tuple[str, tuple, str, str]]:
    """(label, own matrix names, family matrix, own matrix id or '') of the set's TFs."""
    if SETS[name][1] is not None:
        return [(lab, names, fam, "") for lab, names, fam in SETS[name][1]]
    from danqmotifs.formats.meme import read_meme

    truth, _ = read_meme(results / "data/truth.meme")
    return [(m.id + (f" {m.name}" if m.name else ""), (), m.id.split(".")[0], m.id.split(".")[0]) for m in truth]


def route_rows(name: str, results: Path) -> list[dict]:
    fam = families(results / "match/jaspar_families.tsv")
    with open(results / "match/best_matches.tsv", newline="") as fh:
        best = list(csv.DictReader(fh, delimiter="\t"))
    routes = list(dict.fromkeys(r["method"] for r in best))
    rows = []
    for label, names, fam_id, own_id in tfs_of(name, results):
        want = fam.get(fam_id, set())
        for route in routes:
            sig = [r for r in best if r["method"] == route and float(r["q_value"]) < Q]
            own = [r for r in sig if (r["target_id"].split(".")[0] == own_id if own_id
                                      else r["target_name"].upper() in names)]
            in_fam = [r for r in sig if fam.get(r["target_id"].split(".")[0], set()) & want]
            n_q = sum(1 for r in best if r["method"] == route)
            rows.append({"set": name, "tf": label, "route": route, "queries": n_q,
                         "tf_found": int(bool(own)), "tf_q": min((float(r["q_value"]) for r in own), default=""),
                         "tf_query": min(own, key=lambda r: float(r["q_value"]))["query"] if own else "",
                         "family_found": int(bool(in_fam)),
                         "family_q": min((float(r["q_value"]) for r in in_fam), default=""),
                         "n_family_queries": len({r["query"] for r in in_fam})})
    return rows


def cost(name: str, results: Path) -> tuple[list[dict], dict]:
    jobs = job_times(results)
    attr = json.loads((results / "attribution/attributions.json").read_text())
    mod = json.loads((results / "attribution/modisco.json").read_text())
    n = attr["n_sequences"]
    n_mod = sum(t["n_sequences"] for t in mod["targets"].values())
    route = [k for k in jobs if k in ATTR_JOBS or k.startswith("match_method_modisco.")]
    added = sum(jobs[k]["s"] for k in route)
    base = sum(v["s"] for k, v in jobs.items() if k not in route)
    a, m = jobs.get("attribution.tsv", {}), jobs.get("modisco.tsv", {})
    figs = [
        {"what": f"{name}: attribution ({attr['kind']}, {len(attr['targets'])} target(s), {n} sequences of "
                 f"{attr['length']} bp), per 1,000 sequences", "value": a.get("s", 0) / n * 1000, "unit": "s"},
        {"what": f"{name}: attribution, CPU time per 1,000 sequences (less sensitive to a shared machine; "
                 f"mean load {a.get('mean_load', 0):.0f} on 2 cores)", "value": a.get("cpu_time", 0) / n * 1000,
         "unit": "s"},
        {"what": f"{name}: attribution, sequences predicted per second (3L+1 mutants, both strands)",
         "value": attr["model_calls_rows"] / max(a.get("s", 1e-9), 1e-9), "unit": "seq/s"},
        {"what": f"{name}: attribution peak memory (max RSS)", "value": a.get("max_rss", 0), "unit": "MB"},
        {"what": f"{name}: modisco ({n_mod} sequences over {len(mod['targets'])} target(s), "
                 f"{mod['n_patterns']} patterns), per 1,000 sequences",
         "value": m.get("s", 0) / max(n_mod, 1) * 1000, "unit": "s"},
        {"what": f"{name}: modisco, CPU time per 1,000 sequences (mean load {m.get('mean_load', 0):.0f})",
         "value": m.get("cpu_time", 0) / max(n_mod, 1) * 1000, "unit": "s"},
        {"what": f"{name}: modisco peak memory (max RSS)", "value": m.get("max_rss", 0), "unit": "MB"},
        {"what": f"{name}: the route's added job time (attribution, modisco, its matching)", "value": added,
         "unit": "s"},
        {"what": f"{name}: the run without the route, summed job time (the same shared machine, its load varying)", "value": base,
         "unit": "s"},
        {"what": f"{name}: the route's added job time / the run's without it", "value": added / base if base else 0.0,
         "unit": "fraction"},
    ]
    return figs, {"targets": attr["targets"], "n_sequences": n, "patterns": {t: v["patterns"] for t, v in mod["targets"].items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=["ctcf", "p73", "default"], choices=list(SETS))
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench_attribution"))
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--collect", action="store_true", help="run nothing: read the finished work directories")
    args = ap.parse_args()
    rows, figures, details, done = [], [], {}, []
    for name in args.sets:
        work = args.work / name
        if not args.collect:
            rc, _ = run(name, False, work, args.cores)
            if rc == 0:
                rc, _ = run(name, True, work, args.cores)
            if rc != 0:
                print(f"{name} failed: {work}/snakemake.*.log", file=sys.stderr)
                continue
        results = work / "results"
        if not (results / "attribution/modisco.json").is_file():
            continue
        rows += route_rows(name, results)
        f, d = cost(name, results)
        figures += f
        details[name] = d
        done.append(name)
        for r in [r for r in rows if r["set"] == name]:
            figures.append({"what": f"{name}: {r['tf']} named by {r['route']} (own matrix / family, q < {Q})",
                            "value": f"{'yes' if r['tf_found'] else 'no'} / {'yes' if r['family_found'] else 'no'}"
                                     + (f", q {r['tf_q']:.2g}" if r["tf_q"] != "" else "")
                                     + (f", family q {r['family_q']:.2g}" if r["family_q"] != "" else ""),
                            "unit": ""})
        write_rows(HERE / "attribution.tsv", rows)
        missing = [s for s in SETS if s not in done]
        note = [{"what": "PARTIAL TABLE: sets not measured (run them with --sets NAME)",
                 "value": ", ".join(missing), "unit": ""}] if missing else []
        write_result("attribution", note + figures, sets=done, partial=missing, details=details)
    if not done:
        sys.exit("no set finished")


if __name__ == "__main__":
    main()
