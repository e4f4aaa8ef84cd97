"""Logos: information-content heights, alignment of the best match by Tomtom's offset and strand,
one PNG per kernel (dead kernels shown as such), same bytes with any number of processes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from danqmotifs.core.motif import Motif
from danqmotifs.report.logos import aligned_target, information_matrix, kernel_panels, logo_frame, panel_title
from danqmotifs.report.plot.logos import kernel_figure, render_logos


def test_information_heights():
    pwm = np.array([[1, 0, 0, 0], [0.25] * 4, [0.5, 0.5, 0, 0], [0.7, 0.1, 0.1, 0.1]])
    h = information_matrix(pwm)
    np.testing.assert_allclose(h[0], [2, 0, 0, 0])
    np.testing.assert_allclose(h[1], 0, atol=1e-12)
    np.testing.assert_allclose(h[2], [0.5, 0.5, 0, 0])
    ic = 2 + 0.7 * np.log2(0.7) + 0.3 * np.log2(0.1)
    np.testing.assert_allclose(h[3], np.array([0.7, 0.1, 0.1, 0.1]) * ic)
    assert h.sum(axis=1).max() <= 2 + 1e-12


def test_alignment_follows_tomtom_offset_and_strand():
    rng = np.random.default_rng(0)
    t = rng.dirichlet(np.ones(4), size=9)
    same, x0 = aligned_target(t, -4, "+")
    assert x0 == 4
    np.testing.assert_array_equal(same, t)
    rc, x0 = aligned_target(t, 3, "-")
    assert x0 == -3
    np.testing.assert_array_equal(rc, t[::-1, ::-1])
    # query column i faces target column i + offset: under query column 5 lies (RC) target column 8
    df = logo_frame(rc, x0)
    np.testing.assert_allclose(df.loc[5].to_numpy(), information_matrix(rc)[8])
    assert list(df.columns) == list("ACGT")


def _setup(K=3, L=8):
    rng = np.random.default_rng(1)
    ex = [Motif(f"kernel_{k:03d}", rng.dirichlet(np.full(4, 0.4), size=L), "exact", 50) for k in range(K)]
    he = [Motif(m.id, rng.dirichlet(np.full(4, 0.4), size=L), "heuristic", 20) for m in ex[:-1]]
    targets = {"MA0001.1": Motif("MA0001.1", rng.dirichlet(np.ones(4), size=6), "TF_A"),
               "MA0002.1": Motif("MA0002.1", rng.dirichlet(np.ones(4), size=12), "TF_B")}
    row = lambda q, t, off, ori: {"query": q, "target_id": t, "target_name": targets[t].name, "p_value": 1e-6,
                                  "e_value": 1e-3, "q_value": 0.01, "offset": off, "overlap": 6,
                                  "orientation": ori}
    best = {"exact": {m.id: row(m.id, "MA0001.1", -2, "+") for m in ex},
            "heuristic": {m.id: row(m.id, "MA0002.1", 3, "-") for m in he}}
    notes = {"heuristic": {ex[-1].id: "dead kernel (never activated)"}}
    return kernel_panels({"exact": ex, "heuristic": he}, best, targets, notes)


def test_panels_and_titles():
    panels = _setup()
    assert list(panels) == ["kernel_000", "kernel_001", "kernel_002"]
    dead = panels["kernel_002"]
    assert [p["method"] for p in dead] == ["exact", "heuristic"]
    assert dead[1]["query"] is None and dead[1]["note"].startswith("dead kernel")
    assert dead[0]["target"].id == "MA0001.1"
    t = panel_title(panels["kernel_000"][1]["match"], 0.05)
    assert "MA0002.1 TF_B" in t and "- strand, offset 3" in t and "not significant" not in t
    assert "not significant" in panel_title(panels["kernel_000"][1]["match"], 0.001)
    assert panel_title(None, 0.05) == "no match reported"


def test_render_one_png_per_kernel_same_bytes_in_parallel(tmp_path):
    panels = _setup()
    a = render_logos(tmp_path / "a", panels, threads=1)
    b = render_logos(tmp_path / "b", panels, threads=2)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [f"kernel_00{k}.png" for k in range(3)]
    for pa, pb in zip(a, b):
        data = open(pa, "rb").read()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
        assert data == open(pb, "rb").read()


def test_kernel_figure_without_any_match(tmp_path):
    m = Motif("kernel_000", np.full((5, 4), 0.25), "exact", 1)
    kernel_figure(tmp_path / "k.png", "kernel_000", [{"method": "exact", "query": m, "match": None,
                                                       "target": None}])
    assert (tmp_path / "k.png").stat().st_size > 1000


def test_fast_drawing_gives_the_same_pixels_as_logomaker(tmp_path):
    """The fast drawing (letters as one collection, the layout computed once) changes the time, not
    the picture: decoded pixels (and bytes) equal to logomaker and Figure.tight_layout
    (fast=False), both strands, a dead kernel, with 1 or 2 processes."""
    from PIL import Image

    panels = _setup()
    for k, pan in panels.items():
        kernel_figure(tmp_path / f"{k}.ref.png", k, pan, fast=False)
    for threads in (1, 2):
        out = render_logos(tmp_path / f"t{threads}", panels, threads=threads)
        for p in out:
            ref = tmp_path / f"{Path(p).stem}.ref.png"
            new_px = np.asarray(Image.open(p).convert("RGBA"))
            ref_px = np.asarray(Image.open(ref).convert("RGBA"))
            assert new_px.shape == ref_px.shape and np.array_equal(new_px, ref_px)
            assert Path(p).read_bytes() == ref.read_bytes()


def test_draw_letters_puts_logomakers_letters_on_the_axes():
    """draw_letters puts on the axes what logomaker.Logo does, artist by artist: the letter paths
    (vertices and codes, in logomaker's order: column after column, smallest height first, ties as
    np.argsort orders them, letters of height 0 left out), their colours, edges and zorder, the
    baseline, hidden spines; on a column of zeros, a column of ties and a full-height letter."""
    import logomaker
    from matplotlib.lines import Line2D
    from matplotlib.patches import PathPatch

    from danqmotifs.report.logos import draw_letters
    from danqmotifs.report.plot import figure

    rng = np.random.default_rng(3)
    heights = information_matrix(np.vstack([rng.dirichlet(np.full(4, 0.3), size=7), np.full((1, 4), 0.25),
                                            [[0.4, 0.1, 0.4, 0.1]], [[0, 0, 1, 0]]]))
    heights[7] = 0.0                                               # a flat column exactly
    # negative heights: rounding on a uniform column, and a matrix whose rows do not sum to 1
    heights = np.vstack([heights, [[-1e-17, -2e-17, 3e-17, 0.0]], [[-0.01, 0.3, -0.02, 0.5]]])
    _fig, axes = figure(1, 2)
    ref, new = axes[0]
    logomaker.Logo(_frame(heights, 5), ax=ref, color_scheme="classic", show_spines=False)
    draw_letters(new, heights, 5)
    patches = [a for a in ref.get_children() if isinstance(a, PathPatch)]
    (col,) = [a for a in new.get_children() if type(a).__name__ == "PathCollection"]
    paths = col.get_paths()
    assert len(patches) == len(paths) == 4 * 12 - 4 - 3 - 1        # the flat column, 3 zeros of [0,0,1,0], one 0
    for i, (p, q) in enumerate(zip(patches, paths)):
        np.testing.assert_array_equal(p.get_path().vertices, q.vertices)
        np.testing.assert_array_equal(p.get_path().codes, q.codes)
        np.testing.assert_array_equal(p.get_facecolor(), col.get_facecolors()[i])
        np.testing.assert_array_equal(p.get_edgecolor(), col.get_edgecolors()[i])
        assert p.get_linewidth() == col.get_linewidths()[i] == 0.0
        assert p.get_zorder() == col.get_zorder()
    (l_ref,) = [a for a in ref.get_children() if isinstance(a, Line2D)]
    (l_new,) = [a for a in new.get_children() if isinstance(a, Line2D)]
    assert list(l_ref.get_ydata()) == list(l_new.get_ydata()) and l_ref.get_zorder() == l_new.get_zorder()
    np.testing.assert_array_equal(l_ref.get_color(), l_new.get_color())
    assert l_ref.get_linewidth() == l_new.get_linewidth()
    assert not any(s.get_visible() for s in new.spines.values())
    import pytest

    with pytest.raises(ValueError, match="finite"):
        draw_letters(new, np.array([[0.1, np.nan, 0.2, 0.3]]))


def _frame(heights, x0):
    import pandas as pd

    return pd.DataFrame(heights, columns=list("ACGT"), index=np.arange(x0, x0 + len(heights)))


def test_tight_layout_once_equals_matplotlibs():
    """plot.tight_layout sets the subplot parameters Figure.tight_layout sets, and leaves no layout
    engine (which would make savefig run a second, non-rendering draw)."""
    from danqmotifs.report.plot import figure, tight_layout

    got = []
    for ours in (False, True):
        fig, axes = figure(2, 3, figsize=(7, 4))
        for ax in axes.ravel():
            ax.set_title("a title of some length", loc="left")
            ax.set_ylabel("bits")
        if ours:
            tight_layout(fig, pad=0.3, h_pad=0.4)
            assert fig.get_layout_engine() is None
        else:
            fig.tight_layout(pad=0.3, h_pad=0.4)
        sp = fig.subplotpars
        got.append((sp.left, sp.right, sp.bottom, sp.top, sp.wspace, sp.hspace))
    assert got[0] == got[1]
    # a figure that already has a layout engine (figure.autolayout, say) gets Figure.tight_layout,
    # which swaps that engine for a placeholder (savefig would otherwise lay it out again, pad 1.08)
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    pars = []
    for ours in (False, True):
        fig, axes = figure(1, 2, layout="tight")
        axes[0, 0].set_ylabel("bits")
        if ours:
            tight_layout(fig, pad=0.3)
        else:
            fig.tight_layout(pad=0.3)
        assert isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine)
        pars.append((fig.subplotpars.left, fig.subplotpars.wspace))
    assert pars[0] == pars[1]


def test_a_non_significant_match_is_named_not_drawn(tmp_path, monkeypatch):
    """A best match at q >= q_threshold gets a blank panel naming it and its q (the report's first
    page draws significant matches alone); with insignificant=True it is drawn as before. The
    kernel's other panels keep their place: a kernel whose matches are all significant is drawn
    byte for byte as with insignificant=True."""
    from danqmotifs.report.plot import logos as plot_logos

    panels = _setup()
    drawn = []
    real = plot_logos.draw_logo
    monkeypatch.setattr(plot_logos, "draw_logo", lambda ax, pwm, x0, title, *a: (drawn.append(title),
                                                                                  real(ax, pwm, x0, title, *a)))
    kernel_figure(tmp_path / "sig.png", "kernel_000", panels["kernel_000"], q_threshold=0.05)
    kernel_figure(tmp_path / "sig_all.png", "kernel_000", panels["kernel_000"], q_threshold=0.05, insignificant=True)
    assert (tmp_path / "sig.png").read_bytes() == (tmp_path / "sig_all.png").read_bytes()
    assert sum(t.startswith("best match") for t in drawn) == 4          # 2 matches x 2 figures
    drawn.clear()
    kernel_figure(tmp_path / "ns.png", "kernel_000", panels["kernel_000"], q_threshold=0.001)  # q 0.01: not significant
    assert drawn and not any(t.startswith("best match") for t in drawn)   # the motifs alone
    texts = []
    monkeypatch.setattr(plot_logos, "draw_blank", lambda ax, text: texts.append(text))
    kernel_figure(tmp_path / "ns2.png", "kernel_000", panels["kernel_000"], q_threshold=0.001)
    assert any("MA0001.1 TF_A" in t and "q=0.01" in t and "not significant" in t for t in texts)
    drawn.clear()
    kernel_figure(tmp_path / "ns_all.png", "kernel_000", panels["kernel_000"], q_threshold=0.001, insignificant=True)
    assert sum(t.startswith("best match") for t in drawn) == 2


def test_kept_figures_draw_the_bytes_of_new_ones(tmp_path):
    """render_logos draws kernel after kernel on one kept figure per column count
    (KernelCanvases): each PNG is the bytes of a new figure with logomaker's letters (fast=False),
    whatever came before it: significant, non-significant and missing matches, a flat motif, a
    dead kernel, a motif with negative heights, wider and narrower kernels, 1, 2 and 3 columns, in
    an order that takes every panel from a logo to a note and back."""
    import matplotlib.pyplot as plt

    from danqmotifs.report.plot import figure
    from danqmotifs.report.plot.logos import KernelCanvases, draw_kernel_panels, panel_spans

    def artists(axes):
        return [(len(ax.collections), len(ax.texts), len(ax.lines), len(ax.patches), ax.axison,
                 ax.get_title(loc="left")) for ax in axes.flat]

    rng = np.random.default_rng(7)
    targets = {"MA0001.1": Motif("MA0001.1", rng.dirichlet(np.ones(4), size=6), "TF_A"),
               "MA0002.1": Motif("MA0002.1", rng.dirichlet(np.ones(4), size=15), "TF_B")}

    def row(q, t, qv, off, ori):
        return {"query": q, "target_id": t, "target_name": targets[t].name, "p_value": qv / 10,
                "e_value": qv, "q_value": qv, "offset": off, "overlap": 6, "orientation": ori}

    def pan(method, width, match=None, flat=False, neg=False, note=None):
        if width is None:
            return {"method": method, "query": None, "match": None, "target": None, "note": note}
        pwm = np.full((width, 4), 0.25) if flat else rng.dirichlet(np.full(4, 0.3), size=width)
        if neg:
            pwm[1] = [0.7, 0.3, 0.1, -0.05]                     # a row that does not sum to 1
        q = Motif("k", pwm, method, 30)
        m = row("k", *match) if match else None
        return {"method": method, "query": q, "match": m, "target": targets[m["target_id"]] if m else None,
                "note": note or "no motif"}

    sig, ns = ("MA0002.1", 0.01, -3, "-"), ("MA0001.1", 0.4, 2, "+")
    kernels = {
        "k00": [pan("exact", 12, sig), pan("heuristic", 9, sig)],
        "k01": [pan("exact", 7, ns), pan("heuristic", 9, None)],
        "k02": [pan("exact", 19, ns, flat=True), pan("heuristic", None, note="dead kernel (never activated)")],
        "k03": [pan("exact", 8, sig, neg=True), pan("heuristic", 16, sig)],
        "k04": [pan("exact", 10, sig)],
        "k05": [pan("exact", 10, ns), pan("heuristic", 11, ns), pan("refined", 6, sig)],
        "k06": [pan("exact", 5, None), pan("heuristic", 20, sig)],
        "k07": [pan("exact", 10, sig), pan("heuristic", 14, ns), pan("refined", None, note="no motif")],
        "k08": [pan("exact", 13, sig), pan("heuristic", 8, sig)],
    }
    canvases = KernelCanvases()
    try:
        for k, panels in kernels.items():
            kernel_figure(tmp_path / f"{k}.kept.png", k, panels, canvases=canvases)
            kernel_figure(tmp_path / f"{k}.new.png", k, panels, fast=False)
            assert (tmp_path / f"{k}.kept.png").read_bytes() == (tmp_path / f"{k}.new.png").read_bytes(), k
            # and nothing left over that happens to draw no pixel (the baseline under a note, say)
            _fig, axes = figure(2, len(panels))
            draw_kernel_panels(axes, panels, panel_spans(panels)[0])
            assert artists(canvases._figs[len(panels)][1]) == artists(axes), k
            plt.close(_fig)
        assert sorted(canvases._figs) == [1, 2, 3]
    finally:
        canvases.close()
    assert not canvases._figs
    for threads in (1, 2):
        out = render_logos(tmp_path / f"t{threads}", kernels, threads=threads)
        for p in out:
            assert Path(p).read_bytes() == (tmp_path / f"{Path(p).stem}.new.png").read_bytes()
