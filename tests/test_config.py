"""The config schema: the default validates, unknown or mistyped keys are rejected, defaults fill."""

import copy
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
