"""What the model learned: the report's first page and its motif table.

Every motif route of a run (the kernel methods exact, heuristic, ...; routes whose motifs are not
kernels, e.g. TF-MoDISco patterns, join the same way) has one best JASPAR match per motif in
``match/best_matches.tsv``. Here those matches are read at the family level:

* **first page**: one row per JASPAR TF family (``match/jaspar_families.tsv``; a matrix without a
  family stands for itself) that some motif matches at q below the threshold, with the TFs matched,
  the routes that found it, per route the number of motifs and the best q, the kernels, the targets
  those kernels drive and their influence (when influence was measured), and a logo per route (its
  best motif above the JASPAR matrix, aligned as Tomtom aligned them). Rows by the number of routes
  that found the family, then by the best q. Motifs without a significant match fold into one line.
* **motif table**: one row per motif and route, significant matches first; a match with q at or
  above the threshold is never shown as a match. Only the columns whose values vary are kept, each
  with a legend entry.

The page is one HTML file with its logos embedded as small PNG data URLs and a few lines of plain
JavaScript (tabs, sorting, filtering, the route shown); it loads nothing from the network.
Snakemake's report embeds an HTML result as a single ``data:`` URL, and Chromium refuses data URLs
over 2 MiB, so :func:`write_page` keeps the whole page's data URL under :data:`DATA_URL_LIMIT`,
dropping the logos of the lowest-priority rows first (the page then says how many were left out).
"""

from __future__ import annotations

import base64
import functools
import html
import io
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from ..core.errors import atomic_output

#: Chromium's longest URL (GURL's kMaxURLChars, 2 MiB): a data URL past it is not opened
DATA_URL_LIMIT = 2 * 1024 * 1024
#: the page's own budget: its data URL as Snakemake's report embeds it stays below this
PAGE_BUDGET = DATA_URL_LIMIT - 64 * 1024
#: a motif id that is a first-layer kernel (kernel_000 ...); other routes name motifs otherwise
KERNEL_ID = re.compile(r"kernel_(\d+)$")
#: one-line descriptions of the routes, for the page's text (a route not listed: its label)
ROUTE_TEXT = {
    "exact": "the exact PWM of each kernel (softmax(ln b x W), the base b fitted by maximum likelihood)",
    "heuristic": "each kernel's strongest windows in the sampled sequences stacked into a count matrix",
    "exact_oops": "the exact PWM with the base fitted on one best window per sequence (OOPS)",
    "refined": "the exact PWM refined by EM on the sequences (src/danqmotifs/motifs/refine.py)",
    "modisco": "TF-MoDISco patterns of the model's attributions (not kernels)",
}


def kernel_number(query: str) -> int | None:
    """The kernel index of a motif id ``kernel_012`` (12), None for a motif that is not a kernel."""
    m = KERNEL_ID.match(query)
    return int(m.group(1)) if m else None


def family_label(target_id: str, target_name: str, families: Mapping[str, set]) -> str:
    """The JASPAR TF family of a matrix ('; '-joined when JASPAR gives several), or, for a matrix
    JASPAR gives no family, ``<name> (no family in JASPAR)``."""
    fam = families.get(target_id.split(".")[0], set())
    return "; ".join(sorted(fam)) if fam else f"{target_name} (no family in JASPAR)"


def _q(v) -> float:
    try:
        q = float(v)
    except (TypeError, ValueError):
        return float("nan")
    return q


@dataclass
class Match:
    """One motif's best JASPAR match (a row of best_matches.tsv) and whether it is significant."""

    route: str
    query: str
    target_id: str
    target_name: str
    p: float
    e: float
    q: float
    offset: int
    orientation: str
    family: str
    significant: bool

    @property
    def kernel(self) -> int | None:
        return kernel_number(self.query)


def read_matches(best_rows: Sequence[Mapping], families: Mapping[str, set], q_threshold: float) -> list[Match]:
    """Best-match rows (``read_tsv`` of best_matches.tsv) as :class:`Match` objects."""
    out = []
    for r in best_rows:
        q = _q(r["q_value"])
        out.append(Match(r["method"], r["query"], r["target_id"], r["target_name"], _q(r["p_value"]),
                         _q(r["e_value"]), q, int(float(r["offset"])), r["orientation"],
                         family_label(r["target_id"], r["target_name"], families),
                         bool(math.isfinite(q) and q < q_threshold)))
    return out


@dataclass
class Influence:
    """Per kernel: overall influence, and per target mean |dp| and mean delta logit."""

    targets: list[str]
    overall: dict[int, float]
    mean_abs_dp: dict[int, np.ndarray]
    mean_dlogit: dict[int, np.ndarray]

    @classmethod
    def from_result(cls, res) -> "Influence":
        """From a ``formats.influence_table.InfluenceResult``."""
        ids = [int(k) for k in res.kernel_ids]
        ov = res.overall
        return cls(list(res.targets), {k: float(ov[i]) for i, k in enumerate(ids)},
                   {k: res.mean_abs_dp[i] for i, k in enumerate(ids)},
                   {k: res.mean_dlogit[i] for i, k in enumerate(ids)})

    def driven(self, kernels: Sequence[int], top: int = 3) -> str:
        """The targets a set of kernels moves most (summed mean |dp|), each with + (the kernels
        raise it) or - (lower it), e.g. ``CTCF(+) REST(-)``."""
        ks = [k for k in kernels if k in self.mean_abs_dp]
        if not ks:
            return ""
        dp = np.sum([self.mean_abs_dp[k] for k in ks], axis=0)
        dl = np.sum([self.mean_dlogit[k] for k in ks], axis=0)
        order = sorted(range(len(self.targets)), key=lambda t: (-dp[t], t))[:top]
        return " ".join(f"{self.targets[t]}({'+' if dl[t] < 0 else '-'})" for t in order if dp[t] > 0)


@dataclass
class FamilyRow:
    """One row of the first page: a TF family some motif matches at q below the threshold."""

    family: str
    matches: list[Match]                 # the significant matches into this family
    routes: list[str]                    # routes that found it, in the run's order
    planted: bool | None = None          # simulated data: a planted matrix's family
    replicates: int | None = None        # training replicates a matched cluster occurs in
    targets: str = ""
    influence: float = float("nan")      # the largest influence of its kernels

    @property
    def best_q(self) -> float:
        return min(m.q for m in self.matches)

    def best(self, route: str) -> Match | None:
        ms = [m for m in self.matches if m.route == route]
        return min(ms, key=lambda m: (m.q, m.p, m.query)) if ms else None

    def count(self, route: str) -> int:
        return len({m.query for m in self.matches if m.route == route})

    @property
    def kernels(self) -> list[int]:
        return sorted({m.kernel for m in self.matches if m.kernel is not None})

    @property
    def tf_q(self) -> dict[str, float]:
        """The TF names matched, each with its best q."""
        best: dict[str, float] = {}
        for m in self.matches:
            best[m.target_name] = min(best.get(m.target_name, math.inf), m.q)
        return best

    @property
    def tfs(self) -> list[str]:
        """The TF names matched, best q first."""
        best = self.tf_q
        return sorted(best, key=lambda n: (best[n], n))


def family_rows(matches: Sequence[Match], routes: Sequence[str], influence: Influence | None = None,
                planted_families: set[str] | None = None,
                clusters: Sequence[Mapping] | None = None, families: Mapping[str, set] | None = None,
                q_threshold: float = 0.05) -> list[FamilyRow]:
    """The first page's rows, by the number of routes that found the family, then the best q.

    Parameters
    ----------
    matches : every best match (:func:`read_matches`); only the significant ones make rows.
    routes : the run's routes in order (a route missing here is appended after them).
    influence : kernel influence, or None (no model, or influence off).
    planted_families : simulated data: the family labels of the planted matrices (marks rows).
    clusters : with training replicates, the rows of reproducibility.tsv (``replicates``,
        ``match_id``, ``match_name``, ``match_q``); ``families`` then maps their matches.
    """
    by_family: dict[str, list[Match]] = defaultdict(list)
    for m in matches:
        if m.significant:
            by_family[m.family].append(m)
    order = list(routes) + sorted({m.route for m in matches} - set(routes))
    reps: dict[str, int] = {}
    for c in clusters or []:
        q = _q(c.get("match_q"))
        if c.get("match_id") and math.isfinite(q) and q < q_threshold:
            fam = family_label(c["match_id"], c.get("match_name", ""), families or {})
            reps[fam] = max(reps.get(fam, 0), int(c["replicates"]))
    rows = []
    for fam, ms in by_family.items():
        row = FamilyRow(fam, ms, [r for r in order if any(m.route == r for m in ms)])
        if planted_families is not None:
            row.planted = fam in planted_families
        if clusters is not None:
            row.replicates = reps.get(fam, 1)
        if influence is not None and row.kernels:
            row.targets = influence.driven(row.kernels)
            vals = [influence.overall[k] for k in row.kernels if k in influence.overall]
            row.influence = max(vals) if vals else float("nan")
        rows.append(row)
    rows.sort(key=lambda r: (-len(r.routes), r.best_q, r.family))
    return rows


def unmatched(matches: Sequence[Match], motifs: Mapping[str, Sequence[str]]) -> dict:
    """The motifs no route matched at q below the threshold: kernels (by index, across routes) and,
    per route whose motifs are not kernels, their number.

    ``motifs`` maps each route to its motif ids (the MEME file's)."""
    sig = {(m.route, m.query) for m in matches if m.significant}
    kernels_all = {kernel_number(q) for ids in motifs.values() for q in ids} - {None}
    kernels_sig = {kernel_number(q) for (_, q) in sig} - {None}
    other = {r: sum(1 for q in ids if kernel_number(q) is None and (r, q) not in sig)
             for r, ids in motifs.items()}
    return {"kernels": sorted(kernels_all - kernels_sig), "n_kernels": len(kernels_all),
            "other": {r: n for r, n in other.items() if n}}


# ----------------------------------------------------------------------------------- logos

def logo_png(query_pwm: np.ndarray, route: str, query: str, match: Match | None, target_pwm: np.ndarray | None,
             dpi: int = 64) -> bytes:
    """A compact logo: the motif on top, its JASPAR match below on the same x axis (Tomtom's
    offset and orientation), as palette PNG bytes (deterministic)."""
    from PIL import Image

    from .logos import aligned_target, draw_blank, draw_logo
    from .plot import PNG_METADATA, figure, tight_layout

    lo, hi = 0, len(query_pwm)
    tp = x0 = None
    if match is not None and target_pwm is not None:
        tp, x0 = aligned_target(target_pwm, match.offset, match.orientation)
        lo, hi = min(lo, x0), max(hi, x0 + len(tp))
    span = (lo - 0.5, hi - 0.5)
    fig, axes = figure(2, 1, figsize=(0.24 * (hi - lo) + 0.9, 2.6))
    draw_logo(axes[0, 0], query_pwm, 0, f"{route} {query}", span)
    if tp is not None:
        strand = " (reverse complement)" if match.orientation == "-" else ""
        draw_logo(axes[1, 0], tp, x0, f"{match.target_id} {match.target_name}{strand}", span)
    else:
        draw_blank(axes[1, 0], "no match")
    for ax in axes[:, 0]:
        ax.set_title(ax.get_title(loc="left"), loc="left", fontsize=13)
        ax.tick_params(labelsize=9)
        ax.set_xlabel("")
        ax.set_ylabel("bits", fontsize=9)
    tight_layout(fig, pad=0.3, h_pad=0.4)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=PNG_METADATA)
    import matplotlib.pyplot as plt

    plt.close(fig)
    img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB").quantize(colors=32, method=Image.Quantize.MEDIANCUT,
                                                                        dither=Image.Dither.NONE)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


class LogoDrawer:
    """The (key, draw) pairs of :func:`write_page` for (key, :func:`logo_png` arguments) jobs.

    Used as a context manager, it gives the list of pairs. With ``threads`` > 1, calling the
    draw of job i has jobs i to i + ``ahead`` x ``threads`` - 1 drawn in that many processes and
    returns job i's bytes: the page stops drawing at the first logo that does not fit, so at most
    that many logos are drawn in vain. Every logo is drawn by the same function on the same
    arguments as with one thread, so the page's bytes do not depend on ``threads``.
    """

    def __init__(self, jobs: Sequence[tuple[tuple[str, str], tuple]], threads: int = 1, ahead: int = 2):
        self.jobs = list(jobs)
        self.threads = max(1, int(threads))
        self.ahead = ahead
        self._pool = None
        self._pending: dict = {}

    def __enter__(self) -> list[tuple[tuple[str, str], Callable[[], bytes]]]:
        return [(key, functools.partial(self.draw, i)) for i, (key, _) in enumerate(self.jobs)]

    def draw(self, i: int) -> bytes:
        """Job ``i``'s PNG bytes."""
        if self.threads == 1:
            return logo_png(*self.jobs[i][1])
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.threads)
        for j in range(i, min(len(self.jobs), i + self.ahead * self.threads)):
            if j not in self._pending:
                self._pending[j] = self._pool.submit(logo_png, *self.jobs[j][1])
        return self._pending.pop(i).result()

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._pending.clear()


# ------------------------------------------------------------------------------------ page

@dataclass
class RunInfo:
    """What the page says about the run (from its config and outputs)."""

    title: str
    paragraphs: list[str]                          # plain text, one per paragraph
    routes: list[str]
    route_labels: dict[str, str] = field(default_factory=dict)
    q_threshold: float = 0.05
    influence: bool = False
    replicates: int = 1


def _fmt(v, digits: int = 2) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if not math.isfinite(v):
            return "NA"
        return f"{v:.{digits}g}"
    return str(v)


def motif_rows(matches: Sequence[Match], motifs: Mapping[str, Sequence[str]], influence: Influence | None,
               faith: Mapping[int, Mapping[str, str]] | None, planted_families: set[str] | None) -> list[dict]:
    """The motif table: one row per motif of every route, significant matches first (by q), then
    the motifs without one (their match cells empty)."""
    best = {(m.route, m.query): m for m in matches}
    rows = []
    for route, ids in motifs.items():
        for q in ids:
            m = best.get((route, q))
            k = kernel_number(q)
            sig = m is not None and m.significant
            row = {"route": route, "motif": q, "significant": sig,
                   "tf": m.target_name if sig else "", "matrix": m.target_id if sig else "",
                   "family": m.family if sig else "", "q": m.q if sig else float("nan"),
                   "e": m.e if sig else float("nan"),
                   "best_q_any": m.q if m is not None else float("nan")}
            if planted_families is not None:
                row["planted"] = ("yes" if m.family in planted_families else "no") if sig else ""
            if influence is not None:
                row["influence"] = influence.overall.get(k, float("nan")) if k is not None else float("nan")
                row["targets"] = influence.driven([k]) if k is not None else ""
            if faith is not None:
                f = faith.get(k, {}) if k is not None else {}
                row["corr"] = _q(f.get(f"corr_{route}"))
                row["d_roc_auc"] = _q(f.get(f"d_roc_auc_{route}"))
            rows.append(row)
    rows.sort(key=lambda r: (not r["significant"], r["q"] if r["significant"] else math.inf,
                             r["best_q_any"] if math.isfinite(r["best_q_any"]) else math.inf, r["route"], r["motif"]))
    return rows


#: motif-table columns: key, header, legend (the legend's {q} is the threshold)
MOTIF_COLUMNS = [
    ("route", "route", "the motif route (method) that produced the motif."),
    ("motif", "motif", "the motif's id: kernel_012 is the 13th first-layer kernel; other routes name their "
     "motifs (e.g. a TF-MoDISco pattern)."),
    ("tf", "matched TF", "the transcription factor of the best JASPAR match, shown only when its q < {q}."),
    ("matrix", "JASPAR matrix", "the matched JASPAR matrix (only when q < {q})."),
    ("family", "TF family", "JASPAR's TF family of the matched matrix."),
    ("q", "q", "Tomtom's q-value of the best match (false discovery rate over the database); rows above "
     "{q} show no match."),
    ("e", "E", "Tomtom's E-value of the best match (p x the number of JASPAR matrices)."),
    ("planted", "planted", "simulated data: yes when the matched family is that of a planted matrix."),
    ("influence", "influence", "mean |change of the predicted probability| over targets when the kernel's "
     "activation is replaced by its mean (0: the model does not use it; larger: it does)."),
    ("targets", "drives", "the 3 targets the kernel moves most: + the kernel raises the target's "
     "prediction, - it lowers it."),
    ("corr", "faithfulness r", "Pearson correlation of the kernel's score with the log-likelihood under "
     "this motif (exact: 1 by construction; closer to 1: the motif carries more of the kernel)."),
    ("d_roc_auc", "&Delta;AUC if swapped", "change of the mean ROC AUC when only this kernel is replaced "
     "by the motif's substitute; negative: the motif loses accuracy the kernel had, ~0: it carries it "
     "all."),
]


def varying(rows: Sequence[Mapping], key: str) -> bool:
    """Whether column ``key`` has at least two distinct shown values (NA counts as one)."""
    vals = {_fmt(r.get(key, "")) for r in rows}
    return len(vals) > 1


def _img(uri: str | None, alt: str, cls: str) -> str:
    if not uri:
        return f"<span class='nologo'>{html.escape(alt)}: logo left out (page size)</span>"
    return f"<img class='{cls}' alt='{html.escape(alt)}' src='{uri}'>"


def render_page(info: RunInfo, rows: Sequence[FamilyRow], none: dict, table: Sequence[dict],
                logos: Mapping[tuple[str, str], str], left_out: int) -> str:
    """The page's HTML (logos: (route, motif) -> data URL)."""
    e = html.escape
    q = info.q_threshold
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>{e(info.title)}</title><style>{CSS}</style></head><body>",
           f"<h1>{e(info.title)}</h1>"]
    out += [f"<p class='run'>{e(p)}</p>" for p in info.paragraphs]
    out.append("<nav><button id='tab-learned' class='tab on' data-tab='learned'>What the model learned</button>"
               "<button id='tab-table' class='tab' data-tab='table'>Motif table</button></nav>")
    # ---- first page
    out.append("<section id='learned'>")
    routes = info.routes
    out.append("<div class='controls'>Logos shown: " + "".join(
        f"<label><input type='radio' name='show' value='{e(r)}'> {e(info.route_labels.get(r, r))}</label>"
        for r in routes) + "<label><input type='radio' name='show' value='all' checked> every route side by side"
        "</label></div>")
    if rows:
        head = ["#", "TFs matched (best q)", "JASPAR TF family", "found by", "per route: motifs, best q"]
        if info.influence:
            head += ["kernels' influence", "targets they drive"]
        if any(r.replicates is not None for r in rows):
            head.append("replicates")
        if any(r.planted is not None for r in rows):
            head.append("planted")
        head.append("logos: motif (top) and JASPAR match (below)")
        out.append("<table id='families'><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>")
        for i, r in enumerate(rows, 1):
            per = "<br>".join(f"<b>{e(rt)}</b>: {r.count(rt)} motif{'s' if r.count(rt) != 1 else ''}, "
                              f"<span class='nw'>q = {_fmt(r.best(rt).q)}</span>" for rt in r.routes)
            tfq = r.tf_q
            tfs = ", ".join(f"<b>{e(t)}</b> <span class='n'>{_fmt(tfq[t])}</span>" for t in r.tfs[:8])
            if len(r.tfs) > 8:
                tfs += f" <span class='n'>and {len(r.tfs) - 8} more</span>"
            cells = [str(i), tfs, e(r.family),
                     e(", ".join(r.routes)) + f" <span class='n'>({len(r.routes)} of {len(routes)})</span>", per]
            if info.influence:
                cells += [(_fmt(r.influence) + f" <span class='n'>({len(r.kernels)} kernel"
                           f"{'s' if len(r.kernels) != 1 else ''})</span>") if r.kernels else "no kernel",
                          e(r.targets) or "-"]
            if any(x.replicates is not None for x in rows):
                cells.append(f"{r.replicates} of {info.replicates}")
            if any(x.planted is not None for x in rows):
                cells.append("yes" if r.planted else "no")
            logos_html = []
            for rt in routes:
                b = r.best(rt)
                if b is None:
                    continue
                logos_html.append(f"<figure class='logo' data-route='{e(rt)}'>"
                                  + _img(logos.get((rt, b.query)), f"{rt} {b.query}", "big")
                                  + f"<figcaption>{e(rt)} {e(b.query)} &rarr; {e(b.target_name)}, q = {_fmt(b.q)}"
                                  "</figcaption></figure>")
            cells.append("".join(logos_html))
            out.append("<tr class='fam'>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        out.append("</tbody></table>")
    else:
        out.append(f"<p class='none'><b>No motif of any route matches a JASPAR matrix at q &lt; {_fmt(q)}.</b></p>")
    parts = []
    if none["n_kernels"]:
        ks = none["kernels"]
        parts.append(f"{len(ks)} of {none['n_kernels']} kernels")
    parts += [f"{n} {e(r)} motifs" for r, n in none["other"].items()]
    if parts:
        out.append(f"<p id='unmatched' class='fold'>Without a JASPAR match at q &lt; {_fmt(q)} in any route: "
                   + ", ".join(parts) + " (listed in the motif table with its filter off).</p>")
    if left_out:
        out.append(f"<p class='n'>{left_out} logos were left out to keep this page under 2 MB (browsers do "
                   "not open larger embedded pages); every kernel's logo is in the report's Logos.</p>")
    out.append("</section>")
    # ---- motif table
    cols = [c for c in MOTIF_COLUMNS if any(c[0] in r for r in table) and varying(table, c[0])]
    out.append("<section id='table' hidden><div class='controls'>"
               "<label>Filter: <input id='filter' type='search' placeholder='TF, family, kernel, target'></label>"
               f"<label><input id='sigonly' type='checkbox' checked> only motifs with a match at q &lt; {_fmt(q)}</label>"
               "<label>route: <select id='route'><option value=''>all</option>" +
               "".join(f"<option>{e(r)}</option>" for r in routes) + "</select></label>"
               "<span id='shown' class='n'></span></div>")
    out.append("<table id='motifs'><thead><tr>" + "".join(
        f"<th data-key='{k}' title='{e(leg.format(q=_fmt(q)))}'>{h}</th>" for k, h, leg in cols)
        + "<th>logo</th></tr></thead><tbody>")
    for r in table:
        cells = []
        for k, _, _ in cols:
            v = r.get(k, "")
            sort = f"{v:.6g}" if isinstance(v, float) and math.isfinite(v) else ("" if isinstance(v, float) else e(str(v)))
            cells.append(f"<td data-v='{sort}'>{e(_fmt(v)) if not (isinstance(v, float) and not math.isfinite(v)) else ''}</td>")
        uri = logos.get((r["route"], r["motif"])) if r["significant"] else None
        logo = f"<img class='small' alt='{e(r['motif'])}' src='{uri}'>" if uri else ""
        out.append(f"<tr data-route='{e(r['route'])}' data-sig='{int(r['significant'])}'>" + "".join(cells)
                   + f"<td>{logo}</td></tr>")
    out.append("</tbody></table><h3>Columns</h3><dl class='legend'>" + "".join(
        f"<dt>{h}</dt><dd>{e(leg.format(q=_fmt(q)))}</dd>" for k, h, leg in cols)
        + "<dt>logo</dt><dd>the motif (top) above its JASPAR match (below), letter height = information "
        "(bits); significant matches only.</dd></dl>")
    const = [h for k, h, _ in MOTIF_COLUMNS if any(k in r for r in table) and not varying(table, k)]
    if const:
        out.append("<p class='n'>Columns left out because every row has the same value: "
                   + ", ".join(f"{h} = {e(_fmt(table[0].get(k, '')))}" for k, h, _ in MOTIF_COLUMNS
                               if h in const) + ".</p>")
    out.append("</section>")
    out.append(f"<script>{JS}</script></body></html>")
    return "\n".join(out) + "\n"


def data_url_length(page: str) -> int:
    """Characters of the page as Snakemake's report embeds it (a base64 data URL)."""
    n = len(page.encode("utf-8"))
    return len("data:text/html;charset=utf8;filename=what_the_model_learned.html;base64,") + 4 * ((n + 2) // 3)


def write_page(path, info: RunInfo, rows: Sequence[FamilyRow], none: dict, table: Sequence[dict],
               logo_jobs: Sequence[tuple[tuple[str, str], Callable[[], bytes]]], budget: int = PAGE_BUDGET) -> dict:
    """Draw the logos in priority order and write the page while its data URL fits ``budget``.

    ``logo_jobs``: ((route, motif), function returning PNG bytes), most important first
    (:class:`LogoDrawer` makes them, drawing ahead in processes). Returns counts: logos embedded,
    left out, page bytes and data URL length.
    """
    logos: dict[tuple[str, str], str] = {}
    first = {(rt, r.best(rt).query) for r in rows for rt in r.routes}
    in_table = {(t["route"], t["motif"]) for t in table if t["significant"]}
    page = render_page(info, rows, none, table, logos, 0)
    used = data_url_length(page)
    left_out = 0
    for key, draw in logo_jobs:
        if key in logos:
            continue
        if left_out:
            left_out += 1
            continue
        uri = "data:image/png;base64," + base64.b64encode(draw()).decode("ascii")
        # a logo appears once per place it is shown (first page, table): its cost in the data URL
        shown = (key in first) + (key in in_table)
        cost = 4 * (shown * (len(uri) + 40)) // 3
        if used + cost + 8192 > budget:
            left_out += 1
            continue
        logos[key] = uri
        used += cost
    page = render_page(info, rows, none, table, logos, left_out)
    while data_url_length(page) > budget and logos:        # a safety net: drop the last logos
        logos.pop(next(reversed(logos)))
        left_out += 1
        page = render_page(info, rows, none, table, logos, left_out)
    with atomic_output(path) as tmp:
        Path(tmp).write_text(page, encoding="utf-8")
    return {"logos": len(logos), "left_out": left_out, "bytes": len(page.encode("utf-8")),
            "data_url": data_url_length(page)}


def family_table_rows(rows: Sequence[FamilyRow], routes: Sequence[str]) -> list[dict]:
    """The first page as TSV rows (``what_the_model_learned.tsv``)."""
    out = []
    for i, r in enumerate(rows, 1):
        d = {"rank": i, "family": r.family, "tfs": ",".join(r.tfs), "routes": ",".join(r.routes),
             "n_routes": len(r.routes), "best_q": r.best_q}
        for rt in routes:
            b = r.best(rt)
            d[f"n_{rt}"] = r.count(rt)
            d[f"best_q_{rt}"] = b.q if b else float("nan")
            d[f"best_motif_{rt}"] = b.query if b else ""
        d.update(kernels=",".join(str(k) for k in r.kernels), influence=r.influence, targets=r.targets,
                 planted="" if r.planted is None else ("yes" if r.planted else "no"),
                 replicates="" if r.replicates is None else r.replicates)
        out.append(d)
    return out


def summary_lines(rows: Sequence[FamilyRow], none: dict, q_threshold: float) -> list[str]:
    """What the console says at the end of a run."""
    if not rows:
        lines = [f"What the model learned: no motif matches a JASPAR matrix at q < {_fmt(q_threshold)}."]
    else:
        lines = [f"What the model learned: {len(rows)} TF families at q < {_fmt(q_threshold)}:"]
        for r in rows:
            best = ", ".join(f"{rt} q={_fmt(r.best(rt).q)}" for rt in r.routes)
            lines.append(f"  {', '.join(r.tfs[:4])}{' ...' if len(r.tfs) > 4 else ''} [{r.family}]: {best}")
    if none["n_kernels"]:
        lines.append(f"  kernels without a significant match: {len(none['kernels'])} of {none['n_kernels']}")
    return lines


CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;font-size:14px;margin:16px;color:#222}
h1{font-size:20px;margin:0 0 8px}p.run{max-width:1100px;margin:4px 0;line-height:1.4}
nav{margin:12px 0;border-bottom:2px solid #ccc}.tab{font-size:15px;padding:6px 14px;border:1px solid #ccc;
border-bottom:none;background:#f3f3f3;cursor:pointer;margin-right:4px}.tab.on{background:#fff;font-weight:bold;
border-color:#888}.controls{margin:8px 0}.controls label{margin-right:14px}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eee;position:sticky;top:0}#motifs th{cursor:pointer}#motifs th:hover{background:#ddd}
#motifs td{max-width:200px}#motifs td:has(img.small){max-width:none}td .n,.n{color:#666;font-size:12px}figure.logo{display:inline-block;margin:0 8px 4px 0;vertical-align:top}
figcaption{font-size:12px;color:#444;max-width:380px}img.big{display:block}img.small{height:120px}img.small:hover{height:auto}.nw{white-space:nowrap}
.fold{margin-top:10px;font-style:italic}dl.legend dt{font-weight:bold;margin-top:4px}dl.legend dd{margin-left:18px;max-width:900px}
th.asc::after{content:' \\25B2'}th.desc::after{content:' \\25BC'}
"""

JS = """
(function(){
function tab(name){document.querySelectorAll('section').forEach(function(s){s.hidden=(s.id!==name);});
 document.querySelectorAll('.tab').forEach(function(b){b.classList.toggle('on',b.dataset.tab===name);});}
document.querySelectorAll('.tab').forEach(function(b){b.addEventListener('click',function(){tab(b.dataset.tab);
 history.replaceState(null,'',b.dataset.tab==='table'?'#motif-table':'#');});});
if(location.hash==='#motif-table'){tab('table');}
function show(route){document.querySelectorAll('figure.logo').forEach(function(f){
 f.style.display=(route==='all'||f.dataset.route===route)?'inline-block':'none';});}
document.querySelectorAll('input[name=show]').forEach(function(r){r.addEventListener('change',function(){show(r.value);});});
var body=document.querySelector('#motifs tbody');
function filter(){var t=document.getElementById('filter').value.toLowerCase(),
 sig=document.getElementById('sigonly').checked,rt=document.getElementById('route').value,n=0;
 Array.prototype.forEach.call(body.rows,function(r){var ok=(!sig||r.dataset.sig==='1')&&(!rt||r.dataset.route===rt)
 &&(!t||r.textContent.toLowerCase().indexOf(t)>=0);r.style.display=ok?'':'none';if(ok)n++;});
 document.getElementById('shown').textContent=n+' of '+body.rows.length+' motifs shown';}
['filter','sigonly','route'].forEach(function(id){var el=document.getElementById(id);
 el.addEventListener('input',filter);el.addEventListener('change',filter);});
document.querySelectorAll('#motifs th[data-key]').forEach(function(th,i){th.addEventListener('click',function(){
 var asc=!th.classList.contains('asc');document.querySelectorAll('#motifs th').forEach(function(h){h.classList.remove('asc','desc');});
 th.classList.add(asc?'asc':'desc');var rows=Array.prototype.slice.call(body.rows);
 rows.sort(function(a,b){var x=a.cells[i].dataset.v,y=b.cells[i].dataset.v,nx=parseFloat(x),ny=parseFloat(y),c;
  if(x===''&&y!=='')return 1;if(y===''&&x!=='')return -1;
  c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c;});
 rows.forEach(function(r){body.appendChild(r);});});});
filter();
})();
"""


def describe_run(config: Mapping, routes: Sequence[str], route_labels: Mapping[str, str],
                 targets: Sequence[str] | None, n_kernels: int) -> list[str]:
    """The page's paragraphs about the run, from its config: the data, the model, the routes
    that ran and how motifs were matched."""
    data = config["data"]
    src = data["source"]
    blk = data.get(src, {})
    if src == "simulate":
        ids = blk.get("motif_ids", [])
        text = (f"Data: simulated DNA ({blk.get('length')} bp, {blk.get('n_train')} training sequences) with "
                f"{len(ids)} JASPAR motifs planted ({', '.join(ids)}); the 'planted' column says whether a "
                "family is one of theirs.")
    elif src == "peaks":
        names = blk.get("names") or [Path(p).name for p in blk.get("peaks", [])]
        text = (f"Data: peaks of {', '.join(names)} ({', '.join(Path(p).name for p in blk.get('peaks', []))}), "
                f"{blk.get('width')} bp windows, negatives: {blk.get('negatives')}.")
    elif src == "fasta":
        text = f"Data: the sequences of {Path(blk.get('fasta', '')).name} labelled by {Path(blk.get('labels', '')).name}."
    elif src == "bed":
        text = f"Data: the regions of {Path(blk.get('bed', '')).name} on {Path(blk.get('genome', '')).name}."
    elif src == "deepsea":
        text = "Data: DeepSEA's train, valid and test .mat files."
    else:
        text = f"Data source: {src}."
    model = config["model"]
    msrc = model["source"]
    if msrc == "train":
        reps = config["train"].get("replicates", 1)
        mtext = f"Model: DanQ ({model['preset']} preset, {n_kernels} first-layer kernels), trained by this run"
        mtext += (f"; {reps} training replicates (seeds {config['seed']} to {config['seed'] + reps - 1}): the rows "
                  "are the first replicate's motifs, 'replicates' says in how many replicates a motif of the "
                  "family recurs." if reps > 1 else ".")
    elif msrc == "file":
        mtext = f"Model: imported from {Path(model['file']).name} ({n_kernels} first-layer kernels), not trained here."
    else:
        mtext = (f"Kernels alone ({n_kernels}, from {Path(model['file']).name}): no model, so no influence, "
                 "targets or faithfulness.")
    if targets:
        shown = ", ".join(targets[:12]) + (f" and {len(targets) - 12} more" if len(targets) > 12 else "")
        mtext += f" Targets ({len(targets)}): {shown}."
    rtext = "Motif routes of this run: " + "; ".join(
        f"{route_labels.get(r, r)} ({ROUTE_TEXT.get(r, 'a registered motif method')})" for r in routes) + "."
    m = config["match"]
    mt = (f"Each motif's best match among the JASPAR matrices ({m['jaspar_release']} {m['collection']} "
          f"{m['tax_group'] or 'all taxa'}; Tomtom's algorithm, {m['distance']} distance) counts when its q-value "
          f"is below {_fmt(float(m['q_threshold']))} (match.q_threshold); families are JASPAR's annotation.")
    return [text, mtext, rtext, mt]


def build(best, families, db, queries: Mapping[str, str], config: Mapping, page, table, summary,
          influence=None, faithfulness=None, reproducibility=None, targets=None, truth=None,
          route_labels: Mapping[str, str] | None = None, log=print, threads: int = 1) -> list[str]:
    """Read a run's outputs and write the page, its TSV and the console summary.

    Parameters
    ----------
    best, families, db : match/best_matches.tsv, match/jaspar_families.tsv, match/jaspar.meme.
    queries : route -> the MEME file its motifs were matched from (the run's order).
    config : the run's config (for the q threshold and the page's text).
    page, table, summary : outputs: the HTML page, the family TSV, the summary text.
    influence, faithfulness, reproducibility, targets, truth : optional inputs (eval/influence.tsv,
        eval/faithfulness.tsv, reproducibility.tsv, model/targets.txt, data/truth.meme).
    threads : processes that draw the logos (:class:`LogoDrawer`); the page is the same.

    Returns
    -------
    The summary lines (also written to ``summary``).
    """
    from ..formats.influence_table import read_influence_table
    from ..formats.meme import read_meme
    from ..formats.tsv import read_tsv, write_table
    from ..sources.jaspar import read_family_table

    q_threshold = float(config["match"]["q_threshold"])
    fams = read_family_table(families)
    matches = read_matches(read_tsv(best, ("query", "method", "target_id", "target_name", "p_value", "e_value",
                                           "q_value", "offset", "orientation")), fams, q_threshold)
    motifs = {r: read_meme(f)[0] for r, f in queries.items()}
    motif_ids = {r: [m.id for m in ms] for r, ms in motifs.items()}
    routes = list(queries)
    labels = dict(route_labels or {})
    infl = Influence.from_result(read_influence_table(influence)) if influence else None
    faith = {int(r["kernel"]): r for r in read_tsv(faithfulness)} if faithfulness else None
    clusters = read_tsv(reproducibility) if reproducibility else None
    planted = None
    if truth:
        planted = {family_label(m.id, m.name, fams) for m in read_meme(truth)[0]}
    tnames = [t for t in Path(targets).read_text().splitlines() if t.strip()] if targets else None
    rows = family_rows(matches, routes, infl, planted, clusters, fams, q_threshold)
    none = unmatched(matches, motif_ids)
    tab = motif_rows(matches, motif_ids, infl, faith, planted)
    n_kernels = len({kernel_number(q) for ids in motif_ids.values() for q in ids} - {None})
    reps = int(config["train"].get("replicates", 1)) if config["model"]["source"] == "train" else 1
    info = RunInfo("What the model learned", describe_run(config, routes, labels, tnames, n_kernels), routes,
                   labels, q_threshold, infl is not None, reps)
    db_motifs = {m.id: m for m in read_meme(db)[0]}
    by_motif = {(r, m.id): m for r, ms in motifs.items() for m in ms}
    best_by = {(m.route, m.query): m for m in matches}

    def job(key):
        m = best_by.get(key)
        t = db_motifs.get(m.target_id) if m is not None else None
        return key, (by_motif[key].pwm, key[0], key[1], m, t.pwm if t is not None else None)

    keys = [(rt, r.best(rt).query) for r in rows for rt in r.routes]
    keys += [(t["route"], t["motif"]) for t in tab if t["significant"]]
    keys = [k for k in dict.fromkeys(keys) if k in by_motif]
    with LogoDrawer([job(k) for k in keys], threads) as logo_jobs:
        counts = write_page(page, info, rows, none, tab, logo_jobs)
    log(f"page: {counts['bytes']} bytes, data URL {counts['data_url']} characters, {counts['logos']} logos "
        f"embedded, {counts['left_out']} left out")
    trows = family_table_rows(rows, routes)
    cols = list(trows[0]) if trows else ["rank", "family", "tfs", "routes", "n_routes", "best_q"]
    write_table(table, cols, trows, float_format=".3g")
    lines = summary_lines(rows, none, q_threshold)
    with atomic_output(summary) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")
    return lines


def results_dir(configfile: str | None, default="config.yaml") -> str:
    """The results directory of a run: ``results`` of ``configfile`` merged over ``default``."""
    import yaml

    res = (yaml.safe_load(Path(default).read_text()) or {}).get("results", "results")
    if configfile:
        res = (yaml.safe_load(Path(configfile).read_text()) or {}).get("results", res)
    return res


if __name__ == "__main__":       # make report: python -m danqmotifs.report.findings results-dir [CONFIG]
    import sys

    if sys.argv[1:2] != ["results-dir"]:
        sys.exit("usage: python -m danqmotifs.report.findings results-dir [CONFIG]")
    print(results_dir(sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None))
