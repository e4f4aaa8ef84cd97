# MEME output of the kernel motifs and their matching against JASPAR (Tomtom's algorithm), one job
# per motif method, then one table for all of them:
#
#   motifs/{method}.h5              -> motifs/{method}.meme (+ .trimmed, .rc), {method}_dead.tsv
#   pyjaspar                        -> match/jaspar.meme                              (jaspar_db)
#   motifs/{method}.meme + database -> match/{method}.{distance}.h5                   (match_method)
#   attribution/modisco.meme (attribution.smk, when attribution.enabled)
#                                   -> match/modisco.{distance}.h5                    (match_method)
#   match/{method}.{match.distance}.h5 for all methods (and modisco)
#                                   -> match/matches.tsv, best_matches.tsv, match_summary.json,
#                                      pvalues.h5, best_p.png                         (match_summary)
#
# {distance} is match.distance (pearson by default); on simulated data the other distance is
# matched too, for the planted-motif benchmark.

MEME_CFG = config["meme"]
MATCH_CFG = config["match"]


rule write_meme:
    input:
        pwms=PATHS["method_h5"],
        # the method's check (exact: the identity) has passed once its report exists
        check=PATHS["method_json"],
        train=path("train"),
    output:
        **meme_outputs(),
    log:
        f"{LOGS}/write_meme_{{method}}.log",
    benchmark:
        f"{BENCH}/write_meme_{{method}}.tsv"
    conda:
        "../../envs/match.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        meme=MEME_CFG,
        plugins=config["motifs"]["plugins"],
    script:
        "../scripts/write_meme.py"


wildcard_constraints:
    distance="|".join(DISTANCE_NAMES),


rule jaspar_db:
    output:
        db=path("jaspar_db"),
        families=path("jaspar_families"),
    log:
        f"{LOGS}/jaspar_db.log",
    benchmark:
        f"{BENCH}/jaspar_db.tsv"
    conda:
        "../../envs/match.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        match=MATCH_CFG,
    script:
        "../scripts/jaspar_db.py"


rule match_method:
    input:
        query=lambda wildcards: query_meme(wildcards.method),
        db=path("jaspar_db"),
    output:
        PATHS["method_matches"],
    log:
        f"{LOGS}/match_method_{{method}}.{{distance}}.log",
    benchmark:
        f"{BENCH}/match_method_{{method}}.{{distance}}.tsv"
    conda:
        "../../envs/match.yaml"
    threads: 2
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        match=MATCH_CFG,
    script:
        "../scripts/match_method.py"


rule match_summary:
    input:
        results=per_route("method_matches", distance=DISTANCE),
        db=path("jaspar_db"),
    output:
        matches=path("matches"),
        best=report(
            path("best"),
            caption="../report/best_matches.rst",
            category="Matching",
        ),
        summary=report(
            path("match_summary"),
            caption="../report/match_summary.rst",
            category="Matching",
        ),
        pvalues=path("pvalues"),
        figure=report(
            path("best_p"),
            caption="../report/best_p.rst",
            category="Matching",
        ),
    log:
        f"{LOGS}/match_summary.log",
    benchmark:
        f"{BENCH}/match_summary.tsv"
    conda:
        "../../envs/match.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        match=MATCH_CFG,
    script:
        "../scripts/match_summary.py"
