"""Debian's Chromium and chromium-driver for the browser test (tests/test_report_browser.py).

``make test`` runs ``python tests/helpers/chromium.py --install`` first: as root with apt-get it
installs the packages chromium and chromium-driver when either program is missing (nothing is
downloaded at test time; selenium is told both paths, so its manager fetches no browser). Elsewhere
it says why it cannot, and the test skips with that reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

#: headless flags: no sandbox (root in containers), no GPU, nothing that reaches the network
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


def find() -> tuple[str | None, str | None, str]:
    """(chromium, chromedriver, reason): the programs' paths, or None and why they are missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    missing = [n for n, p in (("chromium", browser), ("chromium-driver", driver)) if p is None]
    reason = "" if not missing else (
        f"{' and '.join(missing)} not installed: `make test` installs Debian's chromium and chromium-driver "
        "as root with apt-get (apt-get install -y chromium chromium-driver)")
    return browser, driver, reason


def install() -> str:
    """Install chromium and chromium-driver with apt-get when missing (root only); returns what
    happened in one line."""
    browser, driver, reason = find()
    if not reason:
        return f"chromium: {browser}, chromedriver: {driver}"
    if os.name != "posix" or os.geteuid() != 0:
        return f"browser test will skip: {reason} (not root here)"
    if shutil.which("apt-get") is None:
        return f"browser test will skip: {reason} (no apt-get here)"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"]):
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            return f"browser test will skip: {' '.join(cmd)} failed: {(r.stderr or r.stdout).strip()[-300:]}"
    return "installed chromium and chromium-driver with apt-get"


if __name__ == "__main__":
    if sys.argv[1:] != ["--install"]:
        sys.exit("usage: python tests/helpers/chromium.py --install")
    print(install())
