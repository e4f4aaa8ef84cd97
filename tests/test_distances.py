"""The table of column distances (danqmotifs/tomtom/distances.json): the package, the schema and the rule
files agree with it, and the MEME engine is given MEME's names (``-dist ed`` for euclidean)."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import numpy as np
import pytest
import yaml

from danqmotifs.core.errors import InputError
from danqmotifs.core.motif import Motif
from danqmotifs.match.engines import (ENGINES, distance_of, match_motifs, resolve_engine, settings_for,
                                      tomtom_args_for)
from danqmotifs.tomtom import distances
from danqmotifs.tomtom import SCORE_CODES

ROOT = Path(__file__).resolve().parent.parent

# the -dist values MEME suite 5's tomtom accepts (tomtom.c); anything else is an error
MEME_DISTS = ("allr", "ed", "kullback", "pearson", "sandelin", "blic1", "blic5", "llr1", "llr5")

TSV = ("Query_ID\tTarget_ID\tOptimal_offset\tp-value\tE-value\tq-value\tOverlap\tQuery_consensus\t"
       "Target_consensus\tOrientation\nq1\tT1\t0\t1e-05\t2e-05\t2e-05\t6\tACGTAC\tACGTAC\t+\n")


def test_schema_enum_and_default_equal_the_table():
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    spec = schema["properties"]["match"]["properties"]["distance"]
    assert tuple(spec["enum"]) == distances.NAMES
    assert spec["default"] == distances.TOMTOM_DEFAULT in distances.NAMES


def test_table_is_consistent():
    raw = json.loads(distances.TABLE_PATH.read_text())
    assert [d["name"] for d in raw["distances"]] == list(distances.NAMES) == ["pearson", "euclidean"]
    names = [a for d in distances.TABLE.values() for a in {d.name, d.meme_dist, *d.aliases}]
    assert len(names) == len(set(names))                       # no alias names two distances
    for d in distances.TABLE.values():
        assert set(d.engines) <= set(ENGINES) - {"auto"} and d.auto_engine in d.engines
        assert d.meme_dist in MEME_DISTS and d.column_score
    assert set(SCORE_CODES) == set(distances.offered_by("native"))
    assert distances.canonical("ed") == "euclidean" and distances.canonical("pearson") == "pearson"
    assert distances.canonical("sandelin") is None
    with pytest.raises(InputError, match="unknown column distance"):
        distances.get("kullback")


def test_rule_files_read_the_table_with_json_alone():
    common = (ROOT / "workflow/rules/common.smk").read_text()
    m = re.search(r'DISTANCE_TABLE = Path\(\s*workflow\.source_path\("(.+)"\)\s*\)\n', common)
    assert (ROOT / "workflow/rules" / m.group(1)).resolve() == distances.TABLE_PATH.resolve()
    assert 'distance="|".join(DISTANCE_NAMES)' in (ROOT / "workflow/rules/match.smk").read_text()
    assert "pearson" not in common.split("DISTANCE_TABLE")[1].split("def ")[0]


def test_engines_follow_the_table():
    assert resolve_engine("auto", "pearson") == "native" and resolve_engine("auto", "euclidean") == "memelite"
    with pytest.raises(InputError, match="memelite implements only the euclidean distance, not pearson"):
        resolve_engine("memelite", "pearson")
    with pytest.raises(InputError, match="unknown column distance"):
        resolve_engine("meme", "ed")                       # config and tables say euclidean
    assert distance_of("memelite") == "euclidean"
    assert distance_of("meme", "-no-ssc -dist ed") == "euclidean"
    assert distance_of("meme", "-dist sandelin") == "sandelin"


def test_tomtom_args_use_memes_names():
    assert tomtom_args_for("-no-ssc", "euclidean") == "-no-ssc -dist ed"
    assert tomtom_args_for("-dist ed -thresh 1", "euclidean") == "-dist ed -thresh 1"
    assert tomtom_args_for("-dist euclidean -thresh 1", "euclidean") == "-dist ed -thresh 1"
    assert tomtom_args_for("-no-ssc", "pearson") == "-no-ssc -dist pearson"
    for args, dist in (("-dist ed", "pearson"), ("-dist pearson", "euclidean"), ("-dist allr", "pearson")):
        with pytest.raises(InputError, match="contradicts match.distance"):
            tomtom_args_for(args, dist)


def test_second_distance_settings():
    assert settings_for("pearson", "meme", "-dist pearson -thresh 1", "pearson") == ("meme", "-dist pearson -thresh 1")
    assert settings_for("euclidean", "meme", "-no-ssc -dist pearson -thresh 1", "pearson") == ("meme", "-no-ssc -thresh 1")
    assert settings_for("pearson", "memelite", "", "euclidean") == ("auto", "")
    assert settings_for("euclidean", "native", "", "pearson") == ("native", "")


@pytest.fixture
def meme_tomtom(tmp_path, monkeypatch):
    """A stand-in for MEME's `tomtom` on PATH: records its arguments, refuses a -dist MEME does not
    know (as tomtom does), else prints a one-row table."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (tmp_path / "out.tsv").write_text(TSV)
    exe = bindir / "tomtom"
    exe.write_text("#!/bin/sh\n"
                   f"echo \"$@\" >> {tmp_path}/args.txt\n"
                   "prev=''\nfor a in \"$@\"; do\n"
                   "  if [ \"$prev\" = -dist ]; then case \"$a\" in\n"
                   f"    {'|'.join(MEME_DISTS)}) ;;\n"
                   "    *) echo \"Unknown distance measure: $a\" >&2; exit 1 ;;\n"
                   "  esac; fi\n  prev=\"$a\"\ndone\n"
                   f"cat {tmp_path}/out.tsv\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


@pytest.mark.parametrize("distance,args,flag", [
    ("pearson", "-no-ssc -min-overlap 5 -evalue -thresh 0.01", "pearson"),
    ("euclidean", "-no-ssc -min-overlap 5 -evalue -thresh 0.01", "ed"),
    ("euclidean", "-no-ssc -dist ed -evalue -thresh 0.01", "ed"),
    ("pearson", "-dist pearson", "pearson"),
])
def test_meme_engine_with_both_distances(meme_tomtom, distance, args, flag):
    queries = [Motif("q1", np.full((6, 4), 0.25))]
    targets = [Motif("T1", np.full((6, 4), 0.25), name="TF1")]
    res = match_motifs(queries, targets, "meme", "q.meme", "db.meme", args, distance=distance)
    called = (meme_tomtom / "args.txt").read_text().split()
    assert called[called.index("-dist") + 1] == flag and called.count("-dist") == 1
    assert called[-3:] == ["-text", "q.meme", "db.meme"]
    assert res.engine == "meme" and res.distance == distance and res.reported.sum() == 1


def test_stub_refuses_what_meme_refuses(meme_tomtom):
    """The stand-in is strict: before the table, -dist euclidean reached tomtom and failed."""
    from danqmotifs.match.engines import tomtom_binary

    with pytest.raises(InputError, match="Unknown distance measure: euclidean"):
        tomtom_binary("q.meme", "db.meme", ["q1"], [Motif("T1", np.full((6, 4), 0.25))], "-dist euclidean")
