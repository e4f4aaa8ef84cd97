"""Screenshots of the report's first page and motif table in headless Chromium, for the docs.

    python tools/screenshots.py [RESULTS] [--out docs]

Opens RESULTS/what_the_model_learned.html (default: results/) in Debian's chromium, headless, with
a fresh profile and nothing that reaches the network, and writes OUT/report_first_page.png and
OUT/report_motif_table.png (--width x 1000 px, 1400 wide by default, reduced to a 64-colour palette so each stays small).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.chromium import FLAGS, find  # noqa: E402


def shoot(browser: str, url: str, out: Path, size=(1400, 1000)) -> None:
    """One screenshot of ``url`` into ``out`` (PNG, palette)."""
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="chromium-") as tmp:
        raw = Path(tmp) / "shot.png"
        cmd = [browser, *FLAGS, f"--user-data-dir={tmp}/profile", f"--window-size={size[0]},{size[1]}",
               "--virtual-time-budget=3000", f"--screenshot={raw}", url]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if not raw.is_file():
            sys.exit(f"chromium wrote no screenshot of {url}: {r.stderr.strip()[-500:]}")
        img = Image.open(raw).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
        out.parent.mkdir(parents=True, exist_ok=True)
        img.save(out, format="PNG", optimize=True)
    print(f"{out}: {out.stat().st_size // 1024} kB")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="?", default="results", help="the run's results directory")
    ap.add_argument("--out", default=str(ROOT / "docs"), help="where the PNGs go")
    ap.add_argument("--width", type=int, default=1400, help="window width in px (height 1000)")
    a = ap.parse_args(argv)
    browser, _, reason = find()
    if browser is None:
        sys.exit(f"no Chromium: {reason}")
    page = Path(a.results, "what_the_model_learned.html").resolve()
    if not page.is_file():
        sys.exit(f"{page} does not exist: run the workflow first (make run, or make report CONFIG=...)")
    shoot(browser, page.as_uri(), Path(a.out) / "report_first_page.png", size=(a.width, 1000))
    shoot(browser, page.as_uri() + "#motif-table", Path(a.out) / "report_motif_table.png", size=(a.width, 1000))


if __name__ == "__main__":
    main()
