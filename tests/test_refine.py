"""The max-selection-aware base (exact_oops) and the EM refinement (refined) of danqmotifs.motifs.refine."""

import numpy as np
import pytest

from danqmotifs.core.pwm import kernel_to_pwm
from danqmotifs.motifs import methods
from danqmotifs.motifs.mle import _cap, estimate_base
from danqmotifs.motifs.refine import _sum_windows, em_refine, fit_oops_v, window_scores
from danqmotifs.motifs.scoring import ScanResult

L, N, LS = 10, 2000, 100


@pytest.fixture(scope="module")
def planted():
    """One site of a known PWM P in every sequence; the kernel W = ln P has its exact PWM P at v = 1."""
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.full(4, 0.5), size=L)
    codes = rng.integers(0, 4, (N, LS)).astype(np.uint8)
    for s in range(N):
        i = rng.integers(0, LS - L + 1)
        codes[s, i:i + L] = [rng.choice(4, p=P[j]) for j in range(L)]
    codes[0, 5] = 4                                           # an N: its windows are left out
    return P, np.log(P), codes


def test_window_scores_match_a_direct_sum(planted):
    _, W, codes = planted
    sc = window_scores(codes[:3], W)
    assert sc.shape == (3, LS - L + 1)
    for s, i in [(1, 0), (2, 37), (1, LS - L)]:
        assert sc[s, i] == pytest.approx(sum(W[j, codes[s, i + j]] for j in range(L)))
    assert (sc[0, :6] < -1e29).all() and sc[0, 6] > -1e29     # windows over position 5 hold the N


def test_oops_base_recovers_the_true_base_where_the_max_window_mle_overshoots(planted):
    _, W, codes = planted
    sc = window_scores(codes, W)
    lbg = _sum_windows(codes, L, np.append(np.log(np.full(4, 0.25)), 0.0))
    v = fit_oops_v(W, sc, lbg, float(_cap(W[None])[0]))
    mle = estimate_base(W[None], sc.max(axis=1)[:, None], None, "all", "shared").ln_b[0]
    assert abs(v - 1.0) < 0.05                  # the PWM the sites were drawn from
    assert mle > 1.2                            # the best window of ~90 is not a draw from P


def test_em_refinement_moves_a_blurred_start_to_the_planted_pwm(planted):
    P, _, codes = planted
    start = 0.5 * P + 0.125
    out, rounds = em_refine(start, codes, np.full(4, 0.25), iterations=30)
    assert np.allclose(out.sum(axis=1), 1)
    assert np.abs(out - P).max() < 0.06 < np.abs(start - P).max()
    again, _ = em_refine(start, codes, np.full(4, 0.25), iterations=30)
    assert (again == out).all() and 1 <= rounds <= 30


def test_registered_methods_run_and_mark_dead_kernels(planted):
    P, W, codes = planted
    Wk = np.stack([W, np.zeros_like(W) + np.arange(4) * 1e-3])      # kernel 1 never activates
    sc = np.stack([window_scores(codes, w) for w in Wk], axis=-1)   # (n, npos, K)
    scan = ScanResult(m=sc.max(axis=1), pos=sc.argmax(axis=1).astype(np.int32))
    bias = np.array([50.0, -1.0])                                    # kernel 0 always activated
    base = {"ln_b": 1.5, "options": {"base": "shared", "sequences": "activated", "strands": "forward"}}
    inputs = methods.MethodInputs(Wk, bias, codes, scan, base, {"seed": 1, "exactness_windows": 10,
                                                                "refine_iterations": 20, "refine_pseudocount": 0.25})
    oops = methods.get("exact_oops").compute(inputs)
    assert oops.datasets["dead"].tolist() == [False, True]
    assert abs(oops.datasets["ln_b"][0] - 1.0) < 0.05
    assert np.allclose(oops.datasets["PWM_tensor"][0], kernel_to_pwm(W[None], np.array([oops.datasets["ln_b"][0]]))[0])
    ref = methods.get("refined").compute(inputs)
    assert ref.datasets["dead"].tolist() == [False, True]
    assert np.abs(ref.datasets["PWM_tensor"][0] - P).max() < 0.06
    assert methods.get("exact").compute(inputs).datasets["PWM_tensor"].shape == Wk.shape


def test_refined_warns_how_many_kernels_stopped_at_the_round_cap(planted, capsys):
    """motifs.refine_iterations caps EM; kernels that stop there unconverged are counted in a warning."""
    P, W, codes = planted
    Wk = np.stack([W, W * 0.5])
    sc = np.stack([window_scores(codes, w) for w in Wk], axis=-1)
    scan = ScanResult(m=sc.max(axis=1), pos=sc.argmax(axis=1).astype(np.int32))
    base = {"ln_b": 1.5, "options": {"base": "shared", "sequences": "activated", "strands": "forward"}}
    opts = {"seed": 1, "exactness_windows": 10, "refine_pseudocount": 0.25}
    capped = methods.get("refined").compute(methods.MethodInputs(Wk, np.array([50.0, 50.0]), codes, scan, base,
                                                                  {**opts, "refine_iterations": 1}))
    out = capsys.readouterr().out
    assert "warning: refined: 2 of 2 kernel(s) stopped at the cap of 1 EM rounds" in out
    assert capped.report["at_cap"] == [0, 1] and capped.datasets["rounds"].tolist() == [1, 1]
    free = methods.get("refined").compute(methods.MethodInputs(Wk, np.array([50.0, 50.0]), codes, scan, base,
                                                                {**opts, "refine_iterations": 500}))
    assert "warning" not in capsys.readouterr().out
    assert free.report["at_cap"] == [] and free.datasets["rounds"].max() < 500


def test_refine_cap_is_a_schema_key_not_a_literal_fallback():
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[1]
    schema = yaml.safe_load((root / "workflow/schemas/config.schema.yaml").read_text())
    motifs = schema["properties"]["motifs"]["properties"]
    assert motifs["refine_iterations"]["default"] == 20 and motifs["refine_pseudocount"]["default"] == 0.25
    src = (root / "src/danqmotifs/motifs/refine.py").read_text()
    assert 'get("refine_iterations"' not in src and 'get("refine_pseudocount"' not in src
