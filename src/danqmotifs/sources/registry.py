"""The data sources' parse-time facts, as data: ``sources.json`` beside this module.

What the workflow needs from a source before anything runs (the config keys that must be set, the
input files, extra outputs, memory and runtime for the scheduler) is written once, in
``sources.json``, and read here. This module uses the standard library alone and imports nothing
from the package, so that ``workflow/rules/common.smk`` loads this very file by its path while the
workflow is read (a deployed workflow's Snakemake may not have the package); the package's
:data:`danqmotifs.sources.SOURCES` adds each source's converter to the same facts.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

TABLE_PATH = Path(__file__).with_name("sources.json")
MIB = 2**20


@dataclass(frozen=True)
class SourceSpec:
    """The parse-time facts of one data source.

    Attributes
    ----------
    name : the value of ``data.source``.
    required : config key -> what it must name; an empty one is a config error.
    input_keys : config keys whose values are input files (optional ones are skipped when empty).
    extra_outputs : output name -> file name under ``results/data``.
    memory : the coefficients of :meth:`mem_mb` (``constant``, optional ``per_block`` and ``whole_file``).
    runtime : minutes for the scheduler.
    """

    name: str
    required: dict
    input_keys: tuple
    extra_outputs: dict
    memory: dict
    runtime: int

    def inputs(self, block: dict) -> dict:
        """The input files named by the config block (empty optional ones left out); a key whose
        value is a list of files gives one input per file, ``key_0``, ``key_1``, ..."""
        out = {}
        for k in self.input_keys:
            v = block.get(k)
            if isinstance(v, (list, tuple)):
                out.update({f"{k}_{i}": p for i, p in enumerate(v)})
            elif v:
                out[k] = v
        return out

    def missing(self, block: dict) -> list[str]:
        """Messages for required keys left empty."""
        return [f"config: data.{self.name}.{k} is empty, but data.source is '{self.name}'. "
                f"Fix: set data.{self.name}.{k} to {what}." for k, what in self.required.items()
                if not block.get(k)]

    def mem_mb(self, block: dict, sizes: dict) -> int:
        """MB for the scheduler: ``constant`` + ``block[per_block.key] * per_block.bytes`` / MiB +
        max(``whole_file.floor``, ``whole_file.factor`` x the largest input of ``whole_file.keys``
        / MiB), the last two only where the source names them. ``sizes``: input name -> bytes."""
        m = self.memory
        total = m["constant"]
        if "per_block" in m:
            total = total + block[m["per_block"]["key"]] * m["per_block"]["bytes"] / MIB
        if "whole_file" in m:
            w = m["whole_file"]
            total = total + max(w["floor"], w["factor"] * max(sizes.get(k, 0) for k in w["keys"]) / MIB)
        return int(total)


def load(path=TABLE_PATH) -> dict[str, SourceSpec]:
    """Every source of the table: name -> :class:`SourceSpec` (what a source leaves out: the
    table's ``default``)."""
    table = json.loads(Path(path).read_text())
    out = {}
    for name, facts in table["sources"].items():
        f = {**table["default"], **facts}
        out[name] = SourceSpec(name, dict(f["required"]), tuple(f["input_keys"]), dict(f["extra_outputs"]),
                               dict(f["memory"]), int(f["runtime"]))
    return out


def input_sizes(paths: dict) -> dict:
    """Sizes in bytes of the input files that exist (for :meth:`SourceSpec.mem_mb`)."""
    return {k: os.path.getsize(p) for k, p in paths.items() if os.path.isfile(p)}
