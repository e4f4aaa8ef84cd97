"""The motif-method and data-source registries: built-in methods, a third method added by one
function and one registry entry, the HDF5 round trip, the kernel table, and the source lookup."""

import json

import numpy as np
import pytest

from danqmotifs.core.errors import InputError
from danqmotifs.core.pwm import kernel_to_pwm
from danqmotifs.formats.meme import format_meme, kernel_motifs
from danqmotifs.formats.method_file import read_method_file, write_method_file
from danqmotifs.motifs import methods
from danqmotifs.motifs.kernel_table import activation, kernel_table
from danqmotifs.motifs.mle import base_report, estimate_base
from danqmotifs.motifs.scoring import scan_max
from danqmotifs.sources import SOURCES


def _inputs(rng, K=5, L=8, n=200, Ls=40, dead=(4,)):
    W = rng.standard_normal((K, L, 4))
    bias = np.full(K, -1.0)
    bias[list(dead)] = -1e6                                # never fires
    codes = rng.integers(0, 4, size=(n, Ls)).astype(np.uint8)
    scan = scan_max(codes, W, both_strands=True)
    m = scan.best(False)
    fit = estimate_base(W, m, bias, "activated", "shared")
    opts = {"sequences": "activated", "base": "shared", "strands": "forward"}
    base = json.loads(json.dumps(base_report(fit, W, m, bias, opts, n)))
    options = {"heuristic_strands": "forward", "exactness_windows": 50, "seed": 1, "tolerance": 1e-9}
    return methods.MethodInputs(W=W, bias=bias, codes=codes, scan=scan, base=base, options=options)


def test_builtin_methods_are_registered():
    assert list(methods.DEFAULT_METHODS) == ["exact", "heuristic"]
    assert set(methods.DEFAULT_METHODS) <= set(methods.METHODS)
    assert methods.resolve(None) == ["exact", "heuristic"]
    with pytest.raises(InputError, match="unknown motif method 'nope'"):
        methods.resolve(["exact", "nope"])
    with pytest.raises(InputError, match="twice"):
        methods.resolve(["exact", "exact"])
    with pytest.raises(InputError, match="motifs.plugins"):
        methods.load_plugins(["no_such_module_anywhere"])


def test_exact_method_is_the_softmax_at_the_base_and_checks_the_identity(tmp_path):
    inp = _inputs(np.random.default_rng(0))
    res = methods.get("exact").compute(inp)
    assert res.failure is None and res.report["passed"]
    P = res.datasets["PWM_tensor"]
    np.testing.assert_allclose(P, kernel_to_pwm(inp.W, inp.base["ln_b"]), rtol=0, atol=0)
    assert list(res.datasets) == ["PWM_tensor", "ln_b", "nsites"]
    write_method_file(tmp_path / "exact.h5", res)
    back = read_method_file(tmp_path / "exact.h5")
    np.testing.assert_array_equal(back["pwms"], P)
    assert back["keep"].all()                               # every kernel has an exact PWM


def test_heuristic_method_marks_dead_kernels(tmp_path):
    inp = _inputs(np.random.default_rng(1))
    res = methods.get("heuristic").compute(inp)
    assert res.datasets["dead"].tolist() == [False] * 4 + [True]
    assert res.report["dead_kernels"] == [4]
    write_method_file(tmp_path / "h.h5", res)
    back = read_method_file(tmp_path / "h.h5")
    assert back["keep"].tolist() == [True] * 4 + [False]
    # the table's activation columns agree with the heuristic's own bookkeeping
    max_act, dead = activation(inp.scan, inp.bias, "forward")
    np.testing.assert_array_equal(max_act, res.datasets["max_activation"])
    np.testing.assert_array_equal(dead, res.datasets["dead"])


def sharpest_row(inputs):
    """A test-only method: all weight on each row's largest kernel entry (plus a floor)."""
    W = inputs.W
    P = np.full(W.shape, 0.02)
    np.put_along_axis(P, W.argmax(axis=2)[..., None], 0.94, axis=2)
    return methods.MethodResult(datasets={"PWM_tensor": P, "nsites": np.full(W.shape[0], 7)},
                                attrs={"orientation": "correlation"}, report={"floor": 0.02})


def test_a_third_method_is_one_function_and_one_registry_entry(tmp_path):
    methods.register("sharpest_test", sharpest_row, label="sharpest row")
    try:
        assert methods.resolve(["exact", "heuristic", "sharpest_test"])[-1] == "sharpest_test"
        inp = _inputs(np.random.default_rng(2))
        stacks = {}
        for name in ("exact", "heuristic", "sharpest_test"):
            res = methods.get(name).compute(inp)
            write_method_file(tmp_path / f"{name}.h5", res)
            stacks[name] = read_method_file(tmp_path / f"{name}.h5")
        # downstream code handles it like the built-in ones: MEME text, the kernel table
        text = format_meme(kernel_motifs(stacks["sharpest_test"]["pwms"], stacks["sharpest_test"]["nsites"],
                                         "sharpest_test"))
        assert text.count("MOTIF kernel_") == 5 and "sharpest_test" in text and "nsites= 7" in text
        cols, rows = kernel_table(inp.W, inp.bias, inp.scan, inp.base,
                                  np.full(5, inp.base["ln_b"]), stacks)
        assert cols[3:6] == ["nsites_exact", "nsites_heuristic", "nsites_sharpest_test"]
        assert cols[-1] == "consensus_sharpest_test" and len(rows) == 5
        assert rows[4][cols.index("consensus_heuristic")] == "-"          # dead kernel
        assert rows[4][cols.index("consensus_sharpest_test")] != "-"
    finally:
        methods.METHODS.pop("sharpest_test", None)


def test_register_refuses_bad_or_taken_names():
    with pytest.raises(ValueError, match="letters"):
        methods.register("has space", sharpest_row)
    with pytest.raises(ValueError, match="already registered"):
        methods.register("exact", sharpest_row)


def test_data_sources_registry():
    assert set(SOURCES) == {"simulate", "deepsea", "fasta", "bed", "peaks"}
    assert SOURCES["simulate"].extra_outputs == {"truth": "truth.meme"}
    fasta = SOURCES["fasta"]
    msgs = fasta.missing({"fasta": "x.fa", "labels": ""})
    assert len(msgs) == 1 and "data.fasta.labels is empty" in msgs[0] and "Fix:" in msgs[0]
    deepsea = SOURCES["deepsea"]
    block = {"train_mat": "a", "valid_mat": "b", "test_mat": "c", "target_names": "", "block_size": 1000}
    assert deepsea.inputs(block) == {"train_mat": "a", "valid_mat": "b", "test_mat": "c"}
    assert deepsea.mem_mb(block, {"valid_mat": 10 * 2**30}) > 20000        # a large v5 file is loaded whole
