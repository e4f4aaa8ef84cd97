# The DanQ paper's figures for the model at hand (figures.danq; off by default):
#
#   eval/{split}_auc.tsv + figures.danq.reference + match/match_summary.json
#   (+ figures.danq.published_meme and match/jaspar.meme)
#   -> danq/auc_scatter.png, auc_by_class.tsv, motifs_matched.tsv, danq_figures.json   (danq_figures)

DANQ_CFG = config["figures"]["danq"]

if DANQ_FIGURES:
    if not DANQ_CFG["reference"]:
        raise WorkflowError(
            "config: figures.danq.enabled is true but figures.danq.reference is empty. Fix: give "
            "DanQ's aucs.txt (or a TSV target, roc_auc, pr_auc), or set figures.danq.enabled: false."
        )

    rule danq_figures:
        input:
            # DanQ's published motifs (figures.danq.published_meme), matched against the same
            # database as this run's kernels
            **(
                {"published_meme": DANQ_CFG["published_meme"], "db": path("jaspar_db")}
                if DANQ_CFG["published_meme"]
                else {}
            ),
            auc=path("auc_table"),
            reference=DANQ_CFG["reference"],
            check=REFERENCE_CHECKS["reference_check_danq"],
            match_summary=path("match_summary"),
        output:
            scatter=report(
                path("danq_scatter"),
                caption="../report/danq_figures.rst",
                category="DanQ paper",
            ),
            classes=report(
                path("danq_classes"),
                caption="../report/danq_figures.rst",
                category="DanQ paper",
            ),
            motifs=report(
                path("danq_motifs"),
                caption="../report/danq_figures.rst",
                category="DanQ paper",
            ),
            json=path("danq_json"),
        log:
            f"{LOGS}/danq_figures.log",
        benchmark:
            f"{BENCH}/danq_figures.tsv"
        conda:
            "../../envs/match.yaml"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=10,
        params:
            split=EVAL_CFG["split"],
            match=config["match"],
        script:
            "../scripts/danq_figures.py"
