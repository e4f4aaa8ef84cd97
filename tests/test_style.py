"""Workflow style: the Snakefile and rule files are snakefmt-clean and `snakemake --lint` finds
nothing to say."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_rule_files_are_snakefmt_clean():
    files = [ROOT / "Snakefile", *sorted((ROOT / "workflow/rules").glob("*.smk"))]
    r = subprocess.run([str(BIN / "snakefmt"), "--check", *map(str, files)], capture_output=True, text=True)
    assert r.returncode == 0, f"snakefmt would reformat rule files (run: snakefmt Snakefile workflow/rules):\n{r.stderr}"


def test_snakemake_lint_is_clean():
    r = subprocess.run([sys.executable, "-m", "snakemake", "--lint", "--cores", "1"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Lints for" not in r.stdout + r.stderr, r.stdout + r.stderr
