"""Data sources, in one registry: each turns its input into the three splits of
``danqmotifs.datafile`` (docs/design.md section 2 and the data layout in docs/).

The workflow's single data rule looks up ``SOURCES[config["data"]["source"]]``: the config keys
that must be set, the input files, extra outputs (the simulation's planted motifs), resources,
and the function that converts. Converters are imported only when they run, so reading the
registry costs nothing.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Callable

from ..datafile import SPLITS


@dataclass(frozen=True)
class Source:
    """One data source.

    Attributes
    ----------
    name : the value of ``data.source``.
    run : ``run(block, inputs, outputs, seed, tmpdir)`` converts; ``block`` is the source's config
        block, ``inputs``/``outputs`` dicts of paths (outputs: the splits and ``extra_outputs``).
    required : config key -> what it must name; an empty one is a config error.
    input_keys : config keys whose values are input files (optional ones are skipped when empty).
    extra_outputs : output name -> file name under ``results/data``.
    mem_mb : ``mem_mb(block, input_sizes)`` -> MB for the scheduler.
    runtime : minutes for the scheduler.
    """

    name: str
    run: Callable
    required: dict = field(default_factory=dict)
    input_keys: tuple = ()
    extra_outputs: dict = field(default_factory=dict)
    mem_mb: Callable = lambda block, sizes: 4000
    runtime: int = 60

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


def _simulate(block, inputs, outputs, seed, tmpdir=None):
    from ..jaspar import fetch_motifs
    from ..meme import write_meme
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


def _deepsea_mem_mb(block, sizes) -> int:
    # train.mat (HDF5) is read in blocks (~20 kB a sample); a MATLAB v5 file (valid, test) is loaded
    # whole: ~1.35 x its uncompressed size, unknown from a compressed file's size
    v5 = max(sizes.get("valid_mat", 0), sizes.get("test_mat", 0))
    return int(1000 + block["block_size"] * 20000 / 2**20 + max(3000, 2 * v5 / 2**20))


SOURCES: dict[str, Source] = {
    "simulate": Source("simulate", _simulate, extra_outputs={"truth": "truth.meme"},
                       mem_mb=lambda block, sizes: 2000, runtime=30),
    "deepsea": Source("deepsea", _deepsea,
                      required={f"{s}_mat": f"the path of DeepSEA's {s}.mat" for s in SPLITS},
                      input_keys=tuple(f"{s}_mat" for s in SPLITS) + ("target_names",),
                      mem_mb=_deepsea_mem_mb, runtime=240),
    "fasta": Source("fasta", _fasta,
                    required={"fasta": "a FASTA (.fa or .fa.gz) of the sequences",
                              "labels": "a TSV of labels (header: id, then the target names)"},
                    input_keys=("fasta", "labels")),
    "bed": Source("bed", _bed,
                  required={"bed": "a BED of regions with one 0/1 column per target",
                            "genome": "the genome FASTA the BED refers to"},
                  input_keys=("bed", "genome")),
    "peaks": Source("peaks", _peaks,
                    required={"peaks": "a list of peak files (FASTA or BED), one per target"},
                    input_keys=("peaks", "genome"), mem_mb=lambda block, sizes: 2000, runtime=30),
}


def input_sizes(paths: dict) -> dict:
    """Sizes in bytes of the input files that exist (for ``Source.mem_mb``)."""
    return {k: os.path.getsize(p) for k, p in paths.items() if os.path.isfile(p)}
