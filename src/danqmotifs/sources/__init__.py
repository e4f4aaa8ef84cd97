"""Data sources, in one registry: each turns its input into the three splits of
``danqmotifs.sources.datafile`` (docs/design.md section 2 and the data layout in docs/).

The workflow's single data rule looks up ``SOURCES[config["data"]["source"]]``: the config keys
that must be set, the input files, extra outputs (the simulation's planted motifs), resources,
and the function that converts. The facts other than the converter are data, ``sources.json``
(read by :mod:`.registry`, which workflow/rules/common.smk loads too); converters are imported only
when they run, so reading the registry costs nothing.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields
from typing import Callable

from .datafile import SPLITS
from .registry import SourceSpec, input_sizes, load

__all__ = ["SOURCES", "Source", "input_sizes"]


@dataclass(frozen=True)
class Source(SourceSpec):
    """One data source: its facts (:class:`~.registry.SourceSpec`, from sources.json) and
    ``run(block, inputs, outputs, seed, tmpdir)``, which converts; ``block`` is the source's config
    block, ``inputs``/``outputs`` dicts of paths (outputs: the splits and ``extra_outputs``)."""

    run: Callable = None


def _simulate(block, inputs, outputs, seed, tmpdir=None):
    from ..formats.meme import write_meme
    from .jaspar import fetch_motifs
    from .simulate import SimSpec, resolve_pairs, simulate_split

    motifs = fetch_motifs(block["motif_ids"], block["jaspar_release"], where="data.simulate.motif_ids")
    spec = SimSpec(motifs, block["length"], block["gc"], block["motif_density"], block["label_noise"],
                   resolve_pairs(block["pairs"], motifs))
    for split in SPLITS:
        simulate_split(outputs[split], spec, block[f"n_{split}"], seed, split)
        print(f"{split}: {block[f'n_{split}']} sequences x {spec.length} bp, "
              f"{len(spec.target_names())} targets")
    write_meme(outputs["truth"], motifs, spec.background())


def _deepsea(block, inputs, outputs, seed, tmpdir=None):
    from .deepsea import convert_deepsea

    summaries = convert_deepsea({s: inputs[f"{s}_mat"] for s in SPLITS}, {s: outputs[s] for s in SPLITS},
                                inputs.get("target_names"), block["block_size"], log=sys.stderr)  # console and log
    for s in summaries:
        print(f"{s['split']}: {s['n']} sequences x {s['length']} bp, {s['n_targets']} targets "
              f"(second half reverse complements: {s['second_half_reverse_complement']})")


def _fasta(block, inputs, outputs, seed, tmpdir=None):
    from .fasta import convert_fasta

    plan = convert_fasta(inputs["fasta"], inputs["labels"], {s: outputs[s] for s in SPLITS},
                         length=block["length"], resize=block["resize"], split_by=block["split_by"],
                         valid_ids=block["valid_ids"], test_ids=block["test_ids"],
                         valid_fraction=block["valid_fraction"], test_fraction=block["test_fraction"],
                         seed=seed)
    for note in plan.notes:
        print(f"NOTE: {note}")
    for s in SPLITS:
        print(f"{s}: {plan.counts[s]} sequences x {plan.length} bp")


def _bed(block, inputs, outputs, seed, tmpdir=None):
    from .bed import convert_bed

    summary = convert_bed(inputs["bed"], inputs["genome"], {s: outputs[s] for s in SPLITS},
                          width=block["width"], test_chroms=block["test_chroms"],
                          valid_chroms=block["valid_chroms"], tmpdir=tmpdir)
    print(f"{summary['n']} regions, {summary['targets']} targets, windows of {block['width']} bp")
    for s in SPLITS:
        print(f"{s}: {summary[s]} sequences")


def _peaks(block, inputs, outputs, seed, tmpdir=None):
    from .peaks import convert_peaks

    summary = convert_peaks(block["peaks"], {s: outputs[s] for s in SPLITS}, names=block["names"],
                            genome=block["genome"] or None, width=block["width"],
                            negatives=block["negatives"], negatives_per_peak=block["negatives_per_peak"],
                            flank_distance=block["flank_distance"], gc_tolerance=block["gc_tolerance"],
                            split_by=block["split_by"], valid_chroms=block["valid_chroms"],
                            test_chroms=block["test_chroms"], valid_fraction=block["valid_fraction"],
                            test_fraction=block["test_fraction"], seed=seed, tmpdir=tmpdir)
    for note in summary["notes"]:
        print(f"NOTE: {note}")
    for w in summary["warnings"]:
        print(f"warning: {w}", file=sys.stderr)
    print(f"targets (one per peak file): {', '.join(summary['targets'])}; negatives: {block['negatives']} "
          f"x {block['negatives_per_peak']} per peak, windows of {block['width']} bp")
    for s in SPLITS:
        pos, neg = summary["counts"][s]
        print(f"{s}: {pos} peaks + {neg} negatives")


_RUN = {"simulate": _simulate, "deepsea": _deepsea, "fasta": _fasta, "bed": _bed, "peaks": _peaks}
_SPECS = load()
if set(_SPECS) != set(_RUN):
    raise RuntimeError(f"sources.json names {sorted(_SPECS)} but converters exist for {sorted(_RUN)}")

SOURCES: dict[str, Source] = {
    name: Source(**{f.name: getattr(spec, f.name) for f in fields(spec)}, run=_RUN[name])
    for name, spec in _SPECS.items()}
