"""The report in a real browser: a tiny run (model.source: kernels, three kernels carrying JASPAR
matrices, simulated data), its Snakemake report built, and both opened in headless Chromium
(Debian's chromium + chromium-driver through selenium). Asserted on the DOM after the page's
JavaScript ran: the first page's family rows and a logo are displayed, the motif table's rows too,
and no data URL in report.html is over the 2 MiB Chromium opens.

The first page is opened as Snakemake's report shows an HTML result: an iframe whose src is the
result's data URL, taken from report.html. Skips, saying why, without Chromium
(``make test`` installs it as root with apt-get: tests/helpers/chromium.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from helpers import chromium

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
PLANTED = ["MA0139.2", "MA0080.7", "MA0083.3"]
LIMIT = 2 * 1024 * 1024          # Chromium's longest URL (GURL kMaxURLChars)
pytestmark = pytest.mark.slow    # a tiny run of the workflow (minutes)
TINY = {
    "seed": 3, "results": "out",
    "data": {"simulate": {"motif_ids": PLANTED, "length": 100, "n_train": 200, "n_valid": 100,
                          "n_test": 300, "motif_density": 0.5, "pairs": []}},
    "motifs": {"n_sequences": 300, "threads": 1, "exactness_windows": 50},
}


def _kernels(path: Path, width: int = 24) -> None:
    """Kernel file (K, L, 4), Keras orientation: kernels 0-2 the log-odds of the planted matrices
    (their exact PWMs are those matrices at ln b = 1), kernel 3 small noise."""
    from danqmotifs.sources.jaspar import fetch_motifs

    W = np.random.default_rng(0).normal(0, 0.05, size=(4, width, 4))
    bias = np.zeros(4)
    for k, m in enumerate(fetch_motifs(PLANTED)):
        lo = np.log(np.clip(m.pwm, 0.01, 1) / 0.25)
        W[k] = 0
        W[k, 2:2 + m.width] = lo
        bias[k] = -0.6 * lo.max(axis=1).sum()
    with h5py.File(path, "w") as f:
        f["kernels"] = W.astype(np.float32)
        f["biases"] = bias.astype(np.float32)


def _snakemake(wd: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "-d", str(wd), "--configfile", str(wd / "tiny.yaml"),
           "--cores", "2", *args]
    env = dict(os.environ, PATH=f"{SNAKEMAKE.parent}{os.pathsep}{os.environ['PATH']}", PYTHONHASHSEED="0")
    return subprocess.run(cmd, cwd=wd, capture_output=True, text=True, env=env)


def embedded_data_urls(report_html: str) -> dict[str, str]:
    """File name -> data URL of every result Snakemake's report.html embeds."""
    m = re.search(r'<script id="results">\s*(.*?)\s*</script>', report_html, re.S)
    assert m, "no results in report.html"
    text = m.group(1)
    text = text[text.index("{"):text.rindex("}") + 1]
    results = json.loads(text)
    return {Path(k).name: v["data_uri"] for k, v in results.items()}


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    wd = tmp_path_factory.mktemp("browser")
    _kernels(wd / "k.h5")
    cfg = dict(TINY, model={"source": "kernels", "file": str(wd / "k.h5")})
    (wd / "tiny.yaml").write_text(yaml.safe_dump(cfg))
    r = _snakemake(wd)
    assert r.returncode == 0, r.stderr[-4000:]
    r2 = _snakemake(wd, "--report", str(wd / "out" / "report.html"))
    assert r2.returncode == 0, r2.stderr[-4000:]
    return wd, r


def test_console_says_what_was_found(tiny_report):
    _, r = tiny_report
    text = "\n".join(r.stdout.strip().splitlines()[-8:])      # the onsuccess handler prints to stdout
    assert "What the model learned: 3 TF families at q < 0.05" in text
    assert "  CTCF [More than 3 adjacent zinc fingers]: exact q=" in text and "Read it in a browser: out/what_the_model_learned.html" in text


def test_no_embedded_data_url_over_2_mib(tiny_report):
    wd, _ = tiny_report
    urls = embedded_data_urls((wd / "out" / "report.html").read_text())
    assert "what_the_model_learned.html" in urls and len(urls) > 5
    too_big = {k: len(v) for k, v in urls.items() if len(v) >= LIMIT}
    assert not too_big
    page = (wd / "out" / "what_the_model_learned.html").read_text()
    inner = re.findall(r"src='(data:[^']*)'", page)
    assert inner and max(len(u) for u in inner) < LIMIT


@pytest.fixture(scope="module")
def browser():
    exe, driver, reason = chromium.find()
    if reason:
        pytest.skip(reason)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install -e '.[test]')")
    import tempfile

    opts = webdriver.ChromeOptions()
    opts.binary_location = exe
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    for flag in chromium.FLAGS + [f"--user-data-dir={profile}", "--window-size=1400,1100"]:
        opts.add_argument(flag)
    d = webdriver.Chrome(service=Service(executable_path=driver), options=opts)
    yield d
    d.quit()


def test_first_page_and_motif_table_display_in_chromium(tiny_report, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wd, _ = tiny_report
    url = embedded_data_urls((wd / "out" / "report.html").read_text())["what_the_model_learned.html"]
    host = wd / "host.html"          # the page as Snakemake's report shows it: an iframe on its data URL
    host.write_text(f"<!DOCTYPE html><html><body><iframe id='r' style='width:1350px;height:1000px' "
                    f"src='{url}'></iframe></body></html>")
    browser.get(host.as_uri())
    browser.switch_to.frame(browser.find_element(By.ID, "r"))
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr.fam"))
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.fam")
    assert len(rows) == 3 and all(r.is_displayed() for r in rows)
    assert "CTCF" in rows[0].text and "exact, heuristic" in rows[0].text
    logos = browser.find_elements(By.CSS_SELECTOR, "tr.fam figure.logo img")
    shown = [i for i in logos if i.is_displayed()
             and browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", i) > 100]
    assert shown, "no logo displayed"
    # the route switch hides the other route's logos
    browser.find_element(By.CSS_SELECTOR, "input[name=show][value=exact]").click()
    assert all(f.get_attribute("data-route") == "exact"
               for f in browser.find_elements(By.CSS_SELECTOR, "figure.logo") if f.is_displayed())
    # the motif table: its tab, rows filtered by the JavaScript (the counter is written by it)
    browser.find_element(By.ID, "tab-table").click()
    table_rows = [r for r in browser.find_elements(By.CSS_SELECTOR, "#motifs tbody tr") if r.is_displayed()]
    assert len(table_rows) >= 6 and "motifs shown" in browser.find_element(By.ID, "shown").text
    assert not browser.find_element(By.ID, "learned").is_displayed()
    browser.find_element(By.ID, "filter").send_keys("CTCF")
    assert all("CTCF" in r.text for r in browser.find_elements(By.CSS_SELECTOR, "#motifs tbody tr") if r.is_displayed())
    # Snakemake's report itself renders and lists the page's category
    browser.switch_to.default_content()
    browser.get((wd / "out" / "report.html").as_uri())
    WebDriverWait(browser, 30).until(lambda d: "At a glance" in d.find_element(By.TAG_NAME, "body").text)
