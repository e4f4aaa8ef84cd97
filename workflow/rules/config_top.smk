# Before the default config file is read: a config.yaml whose top level is not a mapping of keys
# (a list, a single value) is named with its path. Snakemake's own message ("Config file must be
# given as JSON or YAML with keys at top level.") names no file; for a --configfile it comes before
# the workflow is read, so only the default config.yaml can be checked here.
import os as _os
import sys as _sys

import yaml as _yaml


def check_config_top(path):
    """Stop with ``error: <path>: ...`` if the YAML file ``path`` exists but is not a mapping."""
    if not _os.path.isfile(path):
        return
    try:
        with open(path, encoding="utf-8") as fh:
            data = _yaml.safe_load(fh)
    except (_yaml.YAMLError, UnicodeDecodeError):
        return  # Snakemake reports YAML syntax errors itself
    if data is not None and not isinstance(data, dict):
        print(
            f"error: {path}: the config file is a {type(data).__name__}, not a mapping of keys "
            "(results: ..., data: ...). Fix: write the settings as 'key: value' lines, as the "
            "shipped config.yaml does.",
            file=_sys.stderr,
            flush=True,
        )
        raise SystemExit(1)


check_config_top("config.yaml")
