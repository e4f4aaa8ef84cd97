"""One run at a time per results directory: a second run that starts while another holds the
results directory stops before any job with one line naming the directory and the fix (two runs
started at the same instant used to pass Snakemake's own check-then-write lock together and
remove each other's outputs, the winner ending in a bare MissingOutputException)."""

import fcntl

from test_workflow import _setup, snakemake


def test_second_run_on_a_held_results_directory_stops_before_any_job(tmp_path):
    wd = _setup(tmp_path / "lock")
    (wd / "out").mkdir()
    with open(wd / "out/.run.lock", "a") as held:      # the first run's lock, held as it holds it
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = snakemake(wd, "out/checks/config.json")
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "another snakemake run is writing this results directory" in out, out
    assert "Traceback" not in out and "MissingOutputException" not in out, out
    assert not (wd / "out/checks/config.json").exists()          # no job ran

    r = snakemake(wd, "out/checks/config.json")                  # lock released: it runs
    assert r.returncode == 0, r.stderr[-3000:]
    assert (wd / "out/checks/config.json").is_file()


def test_dry_run_takes_no_lock(tmp_path):
    wd = _setup(tmp_path / "dry")
    (wd / "out").mkdir()
    with open(wd / "out/.run.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = snakemake(wd, "-n", "out/checks/config.json")
    assert r.returncode == 0, r.stderr[-3000:]
