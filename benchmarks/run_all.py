"""Run every benchmark of the project and write benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/run_all.py [--quick] [--only NAME ...]

Each benchmarks/bench_<name>.py is run in its own process (so peak-memory figures are its own)
and writes benchmarks/out/<name>.json: {"name", "command", "figures": [{"what", "value", "unit"}],
"ratios": [{"what", "value", "baseline"}], optionally "markdown": text put under the section's
table}. This script gathers them with a description of the
machine into one Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def machine() -> str:
    import psutil

    from bench_gpu import gpu_name

    return (f"{platform.machine()} ({cpu_model()}), {os.cpu_count()} cores, "
            f"{psutil.virtual_memory().total / 2**30:.1f} GiB memory, GPU: {gpu_name(timeout=20)}, "
            f"Python {platform.python_version()}")


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo): speeds, and bit-equal outputs, hold per CPU type."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "CPU model unknown"


def previous_sections() -> dict[str, str]:
    """The sections of the current RESULTS.md by benchmark name (kept when --only reruns others)."""
    path = HERE / "RESULTS.md"
    if not path.exists():
        return {}
    import re

    text = path.read_text()
    head = text.split("\n## ", 1)[0]
    machine_line = re.search(r"^Machine: (.*)$", head, re.M)
    date = re.search(r" on (\d{4}-\d{2}-\d{2})\.", head)
    origin = ", ".join(x.group(1) for x in (machine_line, date) if x)
    out = {}
    for block in text.split("\n## ")[1:]:
        name = block.split("\n", 1)[0].strip()
        if name == "Failed":
            continue
        if origin and "Measured on:" not in block:       # written before sections were dated
            first, rest = block.split("\n", 1)
            block = f"{first}\n\nMeasured on: {origin}\n{rest}"
        elif origin:
            block = re.sub(r"^(Measured on: \{.*\})$", rf"\1 ({origin})", block, count=1, flags=re.M)
        out[name] = "## " + block.rstrip("\n") + "\n"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (for a smoke run)")
    ap.add_argument("--only", nargs="*", default=None, help="benchmark names to run")
    ap.add_argument("--collect", action="store_true",
                    help="run nothing: gather the JSON files already in benchmarks/out/")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    benches = sorted(HERE.glob("bench_*.py"))
    if args.only:
        benches = [b for b in benches if b.stem[len("bench_"):] in args.only]
    results, failed = [], []
    for b in benches:
        name = b.stem[len("bench_"):]
        cmd = [sys.executable, str(b)] + (["--quick"] if args.quick else [])
        js = OUT / f"{name}.json"
        t0 = time.perf_counter()
        if not args.collect:
            print(f"== {name}: {' '.join(cmd)}", flush=True)
            if js.exists():
                js.unlink()
            r = subprocess.run(cmd)
        dt = time.perf_counter() - t0
        if (not args.collect and r.returncode != 0) or not js.exists():
            failed.append(name)
            continue
        res = json.loads(js.read_text())
        res["wall_s"] = dt
        results.append(res)
    lines = ["# Benchmark results", "",
             "Produced by `.venv/bin/python benchmarks/run_all.py` (all benchmarks) or with `--only NAME`, "
             "which replaces only that section. Each section says where and when it was measured; "
             "ratios are measured side by side in one run of each benchmark.", ""]
    sections = previous_sections() if args.only else {}
    stamp = f"{machine()}, {time.strftime('%Y-%m-%d')}" + (" (--quick)" if args.quick else "")
    for res in results:
        sec = [f"## {res['name']}", "", f"Command: `{res.get('command', '')}`", "",
               "Measured on: " + (f"{res['machine']} ({stamp})" if res.get("machine") else stamp), ""]
        sec += [
                  "| what | value | unit |", "|---|---:|---|"]
        for f in res.get("figures", []):
            v = f["value"]
            vs = f"{v:.4g}" if isinstance(v, float) else str(v)
            sec.append(f"| {f['what']} | {vs} | {f.get('unit', '')} |")
        ratios = res.get("ratios") or res.get("ratio") or []
        for rt in ratios if isinstance(ratios, list) else []:
            sec.append(f"| ratio: {rt['what']} (vs {rt.get('baseline', 'baseline')}) | {rt['value']:.3g} | x |")
        if res.get("markdown"):                          # a benchmark's own table and text
            sec += ["", res["markdown"]]
        sections[res["name"]] = "\n".join(sec) + "\n"
    for name in sorted(sections):
        lines += [sections[name].rstrip("\n"), ""]
    if failed:
        lines += ["## Failed", "", ", ".join(failed), ""]
    (HERE / "RESULTS.md").write_text("\n".join(lines))
    print(f"wrote {HERE / 'RESULTS.md'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
