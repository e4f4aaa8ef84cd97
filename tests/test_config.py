"""The config schema: the default validates, unknown or mistyped keys are rejected, defaults fill."""

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = str(ROOT / "workflow/schemas/config.schema.yaml")


def _default():
    return yaml.safe_load((ROOT / "config.yaml").read_text())


def test_default_config_validates():
    validate(_default(), SCHEMA)


def test_defaults_are_filled_in():
    cfg = {"data": {"simulate": {"n_train": 10}}}
    validate(cfg, SCHEMA)
    assert cfg["seed"] == 1 and cfg["data"]["source"] == "simulate"
    assert cfg["data"]["simulate"]["length"] >= 8 and cfg["data"]["simulate"]["n_train"] == 10


@pytest.mark.parametrize("path,value", [
    (("unknown_top",), 1),
    (("data", "simulate", "lenght"), 100),          # typo of length
    (("train", "batchsize"), 10),
    (("data", "source"), "csv"),
    (("seed",), "one"),
    (("data", "simulate", "gc"), 1.5),
])
def test_bad_keys_rejected(path, value):
    cfg = copy.deepcopy(_default())
    node = cfg
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    with pytest.raises(WorkflowError):
        validate(cfg, SCHEMA)


def test_schema_defaults_equal_config_yaml():
    """A config file that sets nothing gets exactly the embedded default."""
    empty = {}
    validate(empty, SCHEMA)
    assert empty == _default()


# ------------------------------------------------------------------ one definition: `make config`

sys.path.insert(0, str(ROOT / "tools"))
import make_config  # noqa: E402

GENERATED = [*make_config.CONFIGS, make_config.README, make_config.DEFAULTS_JSON]


def test_generated_config_files_are_what_make_config_writes():
    """config.yaml, config/config.yaml, config/README.md's table and config_defaults.json are the
    generator's output from the schema (CI: a hand edit of one of them fails here)."""
    r = subprocess.run([sys.executable, str(ROOT / "tools/make_config.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def _copy_tree(tmp_path):
    for p in [make_config.SCHEMA, *GENERATED]:
        (tmp_path / p).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / p, tmp_path / p)
    return tmp_path


@pytest.mark.parametrize("victim", [str(p) for p in GENERATED])
def test_check_fails_on_a_hand_edit_and_make_config_repairs_it(tmp_path, victim):
    root = _copy_tree(tmp_path)
    (root / victim).write_text((root / victim).read_text().replace("24000", "24001", 1))
    tool = [sys.executable, str(ROOT / "tools/make_config.py"), "--root", str(root)]
    r = subprocess.run(tool + ["--check"], capture_output=True, text=True)
    assert r.returncode == 1 and victim in r.stderr and "make config" in r.stderr
    assert subprocess.run(tool, capture_output=True).returncode == 0
    assert (root / victim).read_bytes() == (ROOT / victim).read_bytes()
    assert subprocess.run(tool + ["--check"], capture_output=True).returncode == 0


def test_a_schema_change_reaches_every_generated_file(tmp_path):
    root = _copy_tree(tmp_path)
    schema = root / make_config.SCHEMA
    schema.write_text(schema.read_text().replace("n_train: {type: integer, minimum: 1, default: 24000,",
                                                 "n_train: {type: integer, minimum: 1, default: 24001,"))
    make_config.main(["--root", str(root)])
    for p in make_config.CONFIGS:
        assert yaml.safe_load((root / p).read_text())["data"]["simulate"]["n_train"] == 24001
    assert "| `data.simulate.n_train` | `24001` |" in (root / make_config.README).read_text()
    assert json.loads((root / make_config.DEFAULTS_JSON).read_text())["data"]["simulate"]["n_train"] == 24001


def test_every_key_has_a_description_and_a_default():
    assert make_config.check_schema(make_config.load_schema()) == []
    bad = {"type": "object", "properties": {"a": {"type": "integer", "default": 1},
                                            "b": {"type": "integer", "description": "b"}}}
    assert make_config.check_schema(bad) == ["a: no description", "b: no default"]


@pytest.mark.parametrize("value", [None, True, 0, 7, 0.42, 1e-5, 1e-8, 1.0e20, "", "results", "-no-ssc x",
                                   "null", "yes", "a: b", [], [[1, "x"]], {"a": [1]}])
def test_scalar_reads_back_as_the_same_value(value):
    back = yaml.safe_load(f"x: {make_config.scalar(value)}")["x"]
    assert back == value and type(back) is type(value)


def test_dataclass_defaults_are_the_schemas():
    from danqmotifs.core.config_defaults import defaults, with_defaults
    from danqmotifs.model.training.settings import TrainSettings
    from danqmotifs.papers.k2p.simulation.settings import Settings

    full = {}
    validate(full, SCHEMA)
    assert defaults() == full
    train = TrainSettings()
    assert {k: getattr(train, k) for k in TrainSettings.__dataclass_fields__} == \
        {k: full["train"][k] for k in TrainSettings.__dataclass_fields__}
    k2p = full["figures"]["k2p_simulation"]
    assert Settings().as_dict() == {**k2p["sizes"], **k2p["training"]}
    assert with_defaults({"kernels": 8}, "model") == {**full["model"], "kernels": 8}
