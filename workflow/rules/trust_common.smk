# Settings, output paths and helper functions of the "which motifs to trust" stages: kernel
# influence, per-kernel faithfulness and the motif table (influence.smk), training replicates
# (replicates.smk) and the filter-analysis metrics (filter_metrics.smk). Kept apart from those rule
# files (snakemake --lint: no functions beside rules); included before them.

INFLUENCE_CFG = config["influence"]
INFLUENCE = HAS_MODEL and INFLUENCE_CFG["enabled"]
# training replicates (workflow/rules/replicates.smk): the motif table then lists clusters
REPLICATES = config["train"]["replicates"]
REPRODUCIBILITY = REPLICATES > 1

PATHS.update(
    {
        "influence_table": f"{RESULTS}/eval/influence.tsv",
        "influence_ranked": f"{RESULTS}/eval/influence_ranked.tsv",
        "influence_json": f"{RESULTS}/eval/influence.json",
        "influence_figure": f"{RESULTS}/eval/influence.png",
        "faithfulness_table": f"{RESULTS}/eval/faithfulness.tsv",
        "faithfulness_json": f"{RESULTS}/eval/faithfulness.json",
        "motif_table": f"{RESULTS}/motif_table.tsv",
        "reproducibility": f"{RESULTS}/reproducibility.tsv",
        "reproducibility_kernels": f"{RESULTS}/reproducibility_kernels.tsv",
        "filter_metrics": f"{RESULTS}/match/filter_metrics.tsv",
        # the report's first page (findings.smk)
        "learned_html": f"{RESULTS}/what_the_model_learned.html",
        "learned_table": f"{RESULTS}/what_the_model_learned.tsv",
        "learned_summary": f"{RESULTS}/what_the_model_learned.txt",
    }
)


def influence_outputs():
    """The influence rule's outputs when it runs (for the default target), else nothing."""
    keys = (
        "influence_table",
        "influence_ranked",
        "influence_json",
        "influence_figure",
        "faithfulness_table",
        "faithfulness_json",
        "motif_table",
    )
    return [path(k) for k in keys] if INFLUENCE else []


REP_DIR = f"{RESULTS}/replicates/rep{{rep}}"


def rep_path(key, rep, **wildcards):
    """The path `key` of replicate `rep` (0: the run's own)."""
    p = path(key, **wildcards)
    return p if int(rep) == 0 else p.replace(RESULTS, REP_DIR.format(rep=rep), 1)


def rep_pattern(key):
    """The path `key` with a {rep} wildcard (replicates 1 .. N-1)."""
    return PATHS[key].replace(RESULTS, REP_DIR, 1)


def reproducibility_outputs():
    """The reproducibility rule's outputs when replicates are asked for, else nothing."""
    keys = ("reproducibility", "reproducibility_kernels")
    return [path(k) for k in keys] if REPRODUCIBILITY else []


def filter_metrics_outputs():
    """The filter_metrics rule's output on simulated data, else nothing."""
    return [path("filter_metrics")] if SIMULATED else []


def findings_inputs(wildcards):
    """The first page's optional inputs: influence and faithfulness (when measured), the replicates'
    clusters, the model's targets and, on simulated data, the planted motifs."""
    out = {}
    if INFLUENCE:
        out.update(
            influence=path("influence_table"), faithfulness=path("faithfulness_table")
        )
    if REPRODUCIBILITY:
        out["reproducibility"] = path("reproducibility")
    if HAS_MODEL:
        out["targets"] = path("targets")
    if SIMULATED:
        out["truth"] = path("truth")
    return out


def findings_outputs():
    """The first page's outputs (for the default target)."""
    return [path(k) for k in ("learned_html", "learned_table", "learned_summary")]


def print_findings():
    """The run's last lines: what was found and where to read it (the summary the first page's
    rule wrote), when this run has one."""
    p = Path(path("learned_summary"))
    if not p.is_file():
        return
    extra = [
        f
        for f in workflow.configfiles
        if Path(f).resolve() != Path("config.yaml").resolve()
    ]
    cmd = "make report" + (f" CONFIG={extra[-1]}" if extra else "")
    print(
        f"\n{p.read_text().rstrip()}\nRead it in a browser: {path('learned_html')} "
        f"(the first page); the whole report: {cmd} (writes {RESULTS}/report.html).",
        flush=True,
    )
