# The report's first page, "What the model learned" (danqmotifs.report.findings): one row per JASPAR TF
# family that some motif route matched at q < match.q_threshold, then the motif table, with logos,
# in one HTML page that loads nothing and stays under the 2 MB browsers accept embedded.
#
#   match/best_matches.tsv + jaspar_families.tsv + jaspar.meme + motifs/{method}.meme
#   (+ eval/influence.tsv, faithfulness.tsv, reproducibility.tsv, model/targets.txt, data/truth.meme)
#   -> what_the_model_learned.html, .tsv, .txt                               (what_the_model_learned)
#
# A route whose motifs are not kernels (TF-MoDISco patterns: attribution.enabled) joins through FINDINGS_ROUTES:
# its name -> the MEME file matched into best_matches.tsv under that method name.

FINDINGS_ROUTES = {m: query_meme(m) for m in ROUTES}  # ROUTES: METHODS (+ modisco)


rule what_the_model_learned:
    input:
        unpack(findings_inputs),
        best=path("best"),
        families=path("jaspar_families"),
        db=path("jaspar_db"),
        queries=list(FINDINGS_ROUTES.values()),
    output:
        page=report(
            path("learned_html"),
            caption="../report/what_the_model_learned.rst",
            category="At a glance",
        ),
        table=report(
            path("learned_table"),
            caption="../report/what_the_model_learned.rst",
            category="At a glance",
        ),
        summary=path("learned_summary"),
    log:
        f"{LOGS}/what_the_model_learned.log",
    benchmark:
        f"{BENCH}/what_the_model_learned.tsv"
    conda:
        "../../envs/match.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        routes=list(FINDINGS_ROUTES),
        plugins=config["motifs"]["plugins"],
        config=config,
    script:
        "../scripts/what_the_model_learned.py"
