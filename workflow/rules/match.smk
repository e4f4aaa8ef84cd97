# MEME output of the kernel motifs and their matching against JASPAR (Tomtom's algorithm).
#
#   motifs/pwms.h5, motifs/heuristic.h5 -> motifs/{exact,heuristic}.meme  (rule write_meme)
#   pyjaspar                            -> match/jaspar.meme              (rule jaspar_db)
#   both                                -> match/matches.tsv ...          (rule match_motifs)

MATCH_METHODS = ["exact", "heuristic"]
MEME_CFG = config["meme"]
MATCH_CFG = config["match"]


# Named outputs of write_meme: the untrimmed files always, trimmed / reverse-complement ones when
# configured.
MEME_OUT = {m: f"{RESULTS}/motifs/{m}.meme" for m in MATCH_METHODS}
MEME_OUT["dead"] = f"{RESULTS}/motifs/heuristic_dead.tsv"
if MEME_CFG["trim"]:
    MEME_OUT.update({f"{m}_trimmed": f"{RESULTS}/motifs/{m}.trimmed.meme" for m in MATCH_METHODS})
if MEME_CFG["reverse_complement"]:
    MEME_OUT.update({f"{m}_rc": f"{RESULTS}/motifs/{m}.rc.meme" for m in MATCH_METHODS})

# The MEME files that are matched (and drawn): the trimmed ones when trimming is on.
QUERY_MEME = {
    m: f"{RESULTS}/motifs/{m}.trimmed.meme" if MEME_CFG["trim"] else MEME_OUT[m]
    for m in MATCH_METHODS
}

JASPAR_DB = f"{RESULTS}/match/jaspar.meme"
MATCH = {
    "matches": f"{RESULTS}/match/matches.tsv",
    "best": f"{RESULTS}/match/best_matches.tsv",
    "summary": f"{RESULTS}/match/match_summary.json",
    "pvalues": f"{RESULTS}/match/pvalues.h5",
}


rule write_meme:
    input:
        pwms=f"{RESULTS}/motifs/pwms.h5",
        heuristic=f"{RESULTS}/motifs/heuristic.h5",
        train=data_file("train"),
    output:
        **MEME_OUT,
    params:
        meme=MEME_CFG,
    log:
        f"{LOGS}/write_meme.log",
    benchmark:
        f"{BENCH}/write_meme.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/match.yaml"
    script:
        "../scripts/write_meme.py"


rule jaspar_db:
    output:
        db=JASPAR_DB,
    params:
        match=MATCH_CFG,
    log:
        f"{LOGS}/jaspar_db.log",
    benchmark:
        f"{BENCH}/jaspar_db.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/match.yaml"
    script:
        "../scripts/jaspar_db.py"


rule match_motifs:
    input:
        exact=QUERY_MEME["exact"],
        heuristic=QUERY_MEME["heuristic"],
        db=JASPAR_DB,
    output:
        **MATCH,
        figure=report(
            f"{RESULTS}/match/best_p.png",
            caption="../report/best_p.rst",
            category="Matching",
        ),
    params:
        match=MATCH_CFG,
    log:
        f"{LOGS}/match_motifs.log",
    benchmark:
        f"{BENCH}/match_motifs.tsv"
    threads: 2
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../../envs/match.yaml"
    script:
        "../scripts/match_motifs.py"


FINAL.extend(MEME_OUT.values())
FINAL.append(JASPAR_DB)
FINAL.extend(MATCH.values())
FINAL.append(f"{RESULTS}/match/best_p.png")
