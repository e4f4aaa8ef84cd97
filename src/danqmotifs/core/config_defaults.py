"""The config's defaults, as the schema defines them.

``workflow/schemas/config.schema.yaml`` is the one definition of every config key; ``make config``
(tools/make_config.py) writes its defaults to ``config_defaults.json`` beside this module (package
data: an installed package has no workflow/ directory). Code that takes a config section, whole or
partial, fills it from here instead of writing a default of its own (no ``.get(key, literal)``).
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

PATH = Path(__file__).with_name("config_defaults.json")


@lru_cache(maxsize=1)
def _all() -> dict:
    return json.loads(PATH.read_text())


def defaults(*section: str) -> dict:
    """A copy of the defaults of one section, e.g. ``defaults("model")`` or
    ``defaults("figures", "k2p_simulation")``; no argument: the whole config."""
    node = _all()
    for key in section:
        node = node[key]
    return copy.deepcopy(node)


def with_defaults(cfg: dict | None, *section: str) -> dict:
    """``cfg`` (a config section, possibly partial) with every key it leaves out at the schema's
    default; nested sections are filled the same way. ``cfg`` itself is not changed."""
    return _merge(defaults(*section), cfg or {})


def _merge(base: dict, given: dict) -> dict:
    out = dict(base)
    for k, v in given.items():
        out[k] = _merge(base[k], v) if isinstance(base.get(k), dict) and isinstance(v, dict) else v
    return out
