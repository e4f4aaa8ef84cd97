"""An edited config is applied in the next run, in one run (issue: an edit ran check_config alone).

Snakemake 9 masks every job downstream of a job that reruns and then marks it to run only through
updated non-ancient inputs: with the config checks as an ancient() input of the first jobs, an
edited value reran the check alone ("1 of 1 steps done") and left every result the old config's.
After one tiny run, each edit below must bring, in the very next run, the jobs that depend on it,
and only those: the dry run's job list is the run's (same DAG), and one real run checks the bytes.
"""

import re

import h5py
import pytest
import yaml

from test_workflow import _setup, snakemake


def _edit(wd, section, key, value):
    cfg = yaml.safe_load((wd / "tiny.yaml").read_text())
    cfg.setdefault(section, {})[key] = value
    (wd / "tiny.yaml").write_text(yaml.safe_dump(cfg))


def _planned(wd) -> set[str]:
    r = snakemake(wd, "-n")
    assert r.returncode == 0, r.stderr[-3000:] + r.stdout[-3000:]
    return set(re.findall(r"^(?:local)?rule (\w+):", r.stdout, flags=re.M))


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    wd = _setup(tmp_path_factory.mktemp("rerun"))
    r = snakemake(wd)
    assert r.returncode == 0, r.stderr[-5000:]
    assert _planned(wd) == set(), "a finished run plans nothing"
    return wd


@pytest.mark.slow
def test_each_edit_reruns_what_depends_on_it_in_one_run(ran):
    cfg0 = (ran / "tiny.yaml").read_text()
    try:
        _edit(ran, "match", "q_threshold", 0.01)
        jobs = _planned(ran)
        assert {"match_summary", "logos"} <= jobs, jobs
        assert not {"train", "load_data", "dump_kernels"} & jobs, jobs

        (ran / "tiny.yaml").write_text(cfg0)
        _edit(ran, "motifs", "n_sequences", 120)
        jobs = _planned(ran)
        assert {"dump_kernels", "motif_method", "match_method"} <= jobs, jobs
        assert not {"train", "load_data"} & jobs, jobs

        (ran / "tiny.yaml").write_text(cfg0)
        _edit(ran, "train", "learning_rate", 0.002)
        jobs = _planned(ran)
        assert {"train", "evaluate", "dump_kernels"} <= jobs, jobs
        assert "load_data" not in jobs, jobs
    finally:
        (ran / "tiny.yaml").write_text(cfg0)


@pytest.mark.slow
def test_edited_sample_size_is_in_the_kernels_after_one_run(ran):
    model = ran / "out/model/best.keras"
    before = model.stat().st_mtime_ns
    _edit(ran, "motifs", "n_sequences", 120)
    r = snakemake(ran)
    assert r.returncode == 0, r.stderr[-5000:]
    with h5py.File(ran / "out/motifs/kernels.h5") as fh:
        sizes = {name: ds.shape for name, ds in fh.items() if hasattr(ds, "shape")}
    assert any(120 in shape for shape in sizes.values()), sizes
    assert not any(150 in shape for shape in sizes.values()), sizes
    assert model.stat().st_mtime_ns == before, "the model was retrained for a motif setting"
    assert _planned(ran) == set(), "one run applied the edit whole"
