"""Speed of the logos rule: seconds per logo panel before and after, and the rule's share of a run.

    .venv/bin/python benchmarks/bench_logos.py [--results [LABEL=]DIR ...] [--whole-runs LABEL=DIR ...] [--quick]

Draws kernel figures (``danqmotifs.report.plot.logos.kernel_figure``: per kernel, one column per method,
the motif above its aligned best JASPAR match) from a finished run's ``motifs/{method}.meme``,
``match/jaspar.meme`` and ``match/best_matches.tsv`` (``--results``, default ``results``; without a
finished run there, 64 random kernels of width 8 to 19 x 2 methods with random matches). Side by
side in one process, alternating: ``fast=False`` (logomaker and ``Figure.tight_layout``, the code
before issue 33), ``fast=True`` on a new figure (the letters of a logo as one PathCollection built
from cached outlines, the layout computed once) and ``fast=True`` on a figure kept from kernel to
kernel (``KernelCanvases``, as the rule draws). A panel is one logo (a motif or its match). The
three PNGs of every timed kernel are checked byte-identical.

The rule's share: the whole ``render_logos`` of every kernel with the rule's 2 processes, timed,
over the sum of the other rules' Snakemake benchmarks (``<results>/benchmarks/*.tsv``, column s,
the logos rule's own file left out) plus that time, three renders one after the other in the same
run: before (``fast=False``, every match logo drawn: the code before issue 33), the fast drawing
alone (on kept figures, every match logo drawn; every kernel checked byte-identical to before), and after (the fast drawing, and
no logo for a best match at q >= 0.05, which the panel names instead, as the report's first page
does; every kernel without such a match is checked byte-identical to before).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # result_file.py, beside this file
from result_file import job_times, write_result  # noqa: E402
sys.path.insert(0, str(HERE.parent / "src"))

from danqmotifs.core.motif import Motif  # noqa: E402
from danqmotifs.report.logos import kernel_panels  # noqa: E402
from danqmotifs.report.plot.logos import (KernelCanvases, kernel_figure, match_not_drawn,  # noqa: E402
                                          render_logos)


DRAWING_INPUTS = ("match/best_matches.tsv", "match/jaspar.meme")


def has_drawing_inputs(results: Path) -> bool:
    """Whether ``results`` holds what the logos are drawn from (else the random stand-in is drawn)."""
    return all((results / f).exists() for f in DRAWING_INPUTS)


def run_panels(results: Path):
    """(panels by kernel, methods, source) from a finished run, or a random stand-in."""
    best_tsv = results / "match" / "best_matches.tsv"
    if has_drawing_inputs(results):
        from danqmotifs.formats.meme import read_meme
        from danqmotifs.match import read_table

        b = read_table(best_tsv)
        names = [m for m in dict.fromkeys(b["method"]) if (results / "motifs" / f"{m}.meme").exists()]
        queries = {m: read_meme(results / "motifs" / f"{m}.meme")[0] for m in names}
        targets = {t.id: t for t in read_meme(results / "match" / "jaspar.meme")[0]}
        best = {m: {r["query"]: r for r in b[b["method"] == m].to_dict("records")} for m in names}
        return kernel_panels(queries, best, targets, {}), names, str(results)
    rng = np.random.default_rng(0)
    targets = {f"MA{i:04d}.1": Motif(f"MA{i:04d}.1", rng.dirichlet(np.full(4, 0.3), size=int(rng.integers(8, 20))),
                                     f"TF{i}") for i in range(20)}
    names = ["exact", "heuristic"]
    queries = {m: [Motif(f"kernel_{k:03d}", rng.dirichlet(np.full(4, 0.4), size=int(rng.integers(8, 20))), m, 50)
                   for k in range(64)] for m in names}
    best = {m: {q.id: {"query": q.id, "target_id": (t := f"MA{int(rng.integers(20)):04d}.1"),
                       "target_name": targets[t].name, "p_value": 1e-6, "e_value": 1e-3, "q_value": 0.01,
                       "offset": int(rng.integers(-3, 3)), "overlap": 6, "orientation": "+-"[k % 2]}
                for k, q in enumerate(qs)} for m, qs in queries.items()}
    return kernel_panels(queries, best, targets, {}), names, "random stand-in (64 kernels x 2 methods)"


def n_logo_panels(panels) -> int:
    """Logos drawn for one kernel: a motif per method with one, plus its match when there is one."""
    return sum((p["query"] is not None) + (p["query"] is not None and p["match"] is not None
                                           and p["target"] is not None) for p in panels)


def other_rules_s(results: Path) -> tuple[float, int]:
    """Summed Snakemake benchmark seconds of every rule but logos, and the number of files."""
    times = [t["s"] for name, t in job_times(results).items() if name != "logos.tsv"]
    return sum(times), len(times)


def rule_in_run(results: Path) -> float | None:
    """The logos rule's own Snakemake benchmark in the run (``<results>/benchmarks/logos.tsv``, s)."""
    t = job_times(results).get("logos.tsv")
    return None if t is None else t["s"]


def check_whole_run(d: Path) -> tuple[float, float]:
    """(the other rules' summed seconds, the logos rule's seconds) of a finished run; a directory
    without the logos rule's benchmark file beside other rules' is refused."""
    (others, n_files), in_run = other_rules_s(d), rule_in_run(d)
    if in_run is None or not n_files:
        raise SystemExit(f"{d}: no finished run there (no benchmarks/logos.tsv beside other rules' "
                         f"benchmark files); run the workflow with --config results={d} first")
    return others, in_run


def run_shares(dirs: list[Path]) -> list[dict]:
    """The logos rule's share of each whole run as the run records it (its own Snakemake benchmark
    over the run's summed rule time), per run and their minimum, median and maximum: the rule's
    time varies from run to run on a shared machine, so one run does not say where it lies."""
    rows, shares = [], []
    for i, d in enumerate(dirs, 1):
        others, in_run = check_whole_run(d)
        shares.append(100 * in_run / (others + in_run))
        rows.append({"what": f"whole run {i} ({d}): logos rule {in_run:.1f} s of {others + in_run:.1f} s summed, "
                             "share", "value": shares[-1], "unit": "%"})
    if len(shares) > 1:
        rows += [{"what": f"logos rule share over the {len(shares)} whole runs, {name}", "value": float(f(shares)),
                  "unit": "%"} for name, f in (("min", np.min), ("median", np.median), ("max", np.max))]
    return rows


def measure(results: Path, quick: bool, threads: int) -> tuple[list[dict], list[dict]]:
    """Figures and ratios of one finished run (or of the random stand-in)."""
    panels, names, source = run_panels(results)
    kernels = list(panels)[: 2 if quick else 6]
    t = {"old": 0.0, "new": 0.0, "kept": 0.0}
    n_pan = sum(n_logo_panels(panels[k]) for k in kernels)
    canvases = KernelCanvases()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        kernel_figure(tmp / "warm.png", kernels[0], panels[kernels[0]])  # imports, fonts
        kernel_figure(tmp / "warm.png", kernels[0], panels[kernels[0]], fast=False)  # logomaker's import
        kernel_figure(tmp / "warm.png", kernels[0], panels[kernels[0]], canvases=canvases)  # the kept figure
        for k in kernels:
            for how in ("old", "new", "kept"):
                t0 = time.perf_counter()
                kernel_figure(tmp / f"{k}.{how}.png", k, panels[k], fast=how != "old", insignificant=True,
                              canvases=canvases if how == "kept" else None)
                t[how] += time.perf_counter() - t0
            for how in ("new", "kept"):
                if (tmp / f"{k}.old.png").read_bytes() != (tmp / f"{k}.{how}.png").read_bytes():
                    raise SystemExit(f"{k}: the fast drawing ({how} figure) differs from logomaker's")
        canvases.close()
        t0 = time.perf_counter()
        render_logos(tmp / "old", panels, threads=threads, fast=False, insignificant=True)
        rule_old = time.perf_counter() - t0
        t0 = time.perf_counter()
        render_logos(tmp / "fastdraw", panels, threads=threads, insignificant=True)
        rule_fastdraw = time.perf_counter() - t0
        t0 = time.perf_counter()
        render_logos(tmp / "new", panels, threads=threads)
        rule_new = time.perf_counter() - t0
        differ = [p.name for p in sorted((tmp / "old").iterdir()) if p.read_bytes() != (tmp / "fastdraw" / p.name).read_bytes()]
        if differ:
            raise SystemExit(f"the fast drawing differs from logomaker's: {differ[:5]}")
        # a kernel whose every best match is significant (or absent) is drawn exactly as before
        same = [k for k, pan in panels.items() if not any(match_not_drawn(p) for p in pan)]
        differ = [k for k in same if (tmp / "old" / f"{k}.png").read_bytes() != (tmp / "new" / f"{k}.png").read_bytes()]
        if differ:
            raise SystemExit(f"kernels without a non-significant match drawn differently: {differ[:5]}")
        n_skipped = sum(match_not_drawn(p) for pan in panels.values() for p in pan)
    others, n_files = other_rules_s(results)
    figures = [
        {"what": f"source: {source}; kernels timed side by side", "value": len(kernels), "unit": "kernels"},
        {"what": "logo panels timed (motifs + matches)", "value": n_pan, "unit": "panels"},
        {"what": "seconds per panel, before (logomaker, Figure.tight_layout)", "value": t["old"] / n_pan, "unit": "s"},
        {"what": "seconds per panel, fast drawing on a new figure", "value": t["new"] / n_pan, "unit": "s"},
        {"what": "seconds per panel, after (fast drawing on a kept figure, as the rule draws)",
         "value": t["kept"] / n_pan, "unit": "s"},
        {"what": "match logos not drawn (best match not significant, q >= 0.05)", "value": n_skipped,
         "unit": "panels"},
        {"what": "kernels drawn byte-identical to before (no match logo left out)",
         "value": len(same), "unit": "kernels"},
        {"what": f"logos rule drawing, after: all {len(panels)} kernels, {threads} processes",
         "value": rule_new, "unit": "s"},
        {"what": f"logos rule drawing, fast drawing alone (every match logo drawn): all {len(panels)} kernels",
         "value": rule_fastdraw, "unit": "s"},
        {"what": f"logos rule drawing, before: all {len(panels)} kernels, {threads} processes",
         "value": rule_old, "unit": "s"},
    ]
    if n_files:
        figures += [
            {"what": f"summed time of the other {n_files} rules (<results>/benchmarks/*.tsv)", "value": others,
             "unit": "s"},
            {"what": "logos rule share of the summed rule time, after", "value": 100 * rule_new / (others + rule_new),
             "unit": "%"},
            {"what": "logos rule share of the summed rule time, before", "value": 100 * rule_old / (others + rule_old),
             "unit": "%"},
        ]
    in_run = rule_in_run(results)
    if n_files and in_run is not None:
        figures += [
            {"what": "logos rule in the run itself (its Snakemake benchmark, <results>/benchmarks/logos.tsv)",
             "value": in_run, "unit": "s"},
            {"what": "logos rule share of the run's summed rule time (both from the run's own benchmarks)",
             "value": 100 * in_run / (others + in_run), "unit": "%"},
        ]
    ratios = [{"what": "seconds per logo panel", "value": t["old"] / t["kept"], "baseline": "logomaker, Figure.tight_layout"},
              {"what": "seconds per logo panel, kept figure vs new", "value": t["new"] / t["kept"],
               "baseline": "the fast drawing on a new figure"},
              {"what": "whole logos drawing", "value": rule_old / rule_new, "baseline": "the code before issue 33"},
              {"what": "whole logos drawing, after vs the fast drawing alone", "value": rule_fastdraw / rule_new,
               "baseline": "every match logo drawn"}]
    return figures, ratios


def split_label(item: str) -> tuple[str, str]:
    """'LABEL=DIR' -> (LABEL, DIR); a DIR alone (or an existing directory whose name holds '=') -> ('', DIR)."""
    label, sep, d = item.partition("=")
    if not sep or Path(item).is_dir():
        return "", item
    return label, d


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", nargs="+", default=["results"],
                    help="finished runs' results directories, each DIR or LABEL=DIR (the label prefixes its rows)")
    ap.add_argument("--quick", action="store_true", help="time 2 kernels (default 6)")
    ap.add_argument("--threads", type=int, default=2, help="processes of the whole render (the rule's)")
    ap.add_argument("--whole-runs", nargs="+", default=[], metavar="LABEL=DIR",
                    help="more whole runs of a --results LABEL's config: the rule's share as each run records "
                         "it (its own benchmark over the run's summed rule time), nothing drawn; the LABEL's "
                         "--results run is counted first")
    args = ap.parse_args()
    results = [split_label(item) for item in args.results]
    more = [split_label(item) for item in args.whole_runs]
    if more:
        labels = [label for label, _ in results]
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice or any(not label for label, _ in more):
            raise SystemExit("--whole-runs: give each --results run a label of its own and each whole run as "
                             f"LABEL=DIR with one of them (labels given more than once: {twice})")
        unknown = sorted({label for label, _ in more} - set(labels))
        if unknown:
            raise SystemExit(f"--whole-runs: {unknown} name no --results LABEL; give LABEL=DIR with a LABEL of "
                             "--results")
    # every directory checked before minutes of drawing
    for label, d in results:
        missing = [f for f in DRAWING_INPUTS if not (Path(d) / f).exists()]
        if label and missing:
            raise SystemExit(f"{d}: no finished run there (no {missing[0]}); run the workflow with "
                             f"--config results={d} first")
    counted = {label for label, _ in more}
    for d in [d for label, d in results if label in counted] + [d for _, d in more]:
        check_whole_run(Path(d))
    figures, ratios = [], []
    for label, d in results:
        f, r = measure(Path(d), args.quick, args.threads)
        extra = [Path(x) for lab, x in more if lab == label]
        if extra:
            f += run_shares([Path(d), *extra])
        prefix = f"{label}: " if label else ""
        figures += [{**x, "what": prefix + x["what"]} for x in f]
        ratios += [{**x, "what": prefix + x["what"]} for x in r]
    write_result("logos", figures, ratios)
    for f in figures:
        print(f"{f['what']}: {f['value']:.4g} {f['unit']}")
    for r in ratios:
        print(f"ratio {r['what']}: {r['value']:.3g}x")


if __name__ == "__main__":
    main()
