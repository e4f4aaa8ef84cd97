# Pictures and the planted-motif benchmark. `snakemake --report results/report.html` gathers
# every output wrapped in report() (captions in workflow/report/).

rule logos:
    input:
        exact=QUERY_MEME["exact"],
        heuristic=QUERY_MEME["heuristic"],
        db=JASPAR_DB,
        best=MATCH["best"],
        dead=f"{RESULTS}/motifs/heuristic_dead.tsv",
    output:
        logos=report(
            directory(f"{RESULTS}/logos"),
            patterns=["{kernel}.png"],
            caption="../report/logos.rst",
            category="Motifs",
            subcategory="Logos",
        ),
    params:
        q_threshold=MATCH_CFG["q_threshold"],
    log:
        f"{LOGS}/logos.log",
    benchmark:
        f"{BENCH}/logos.tsv"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=60,
    conda:
        "../../envs/match.yaml"
    script:
        "../scripts/logos.py"


FINAL.append(f"{RESULTS}/logos")


if SOURCE == "simulate":

    rule planted_benchmark:
        input:
            truth=f"{RESULTS}/data/truth.meme",
            pvalues=MATCH["pvalues"],
        output:
            table=report(
                f"{RESULTS}/match/planted.tsv",
                caption="../report/planted_table.rst",
                category="Planted motifs",
            ),
            figure=report(
                f"{RESULTS}/match/planted.png",
                caption="../report/planted.rst",
                category="Planted motifs",
            ),
            summary=f"{RESULTS}/summary.json",
        params:
            match=MATCH_CFG,
        log:
            f"{LOGS}/planted_benchmark.log",
        benchmark:
            f"{BENCH}/planted_benchmark.tsv"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        conda:
            "../../envs/match.yaml"
        script:
            "../scripts/planted_benchmark.py"

    FINAL.extend([f"{RESULTS}/match/planted.tsv", f"{RESULTS}/match/planted.png",
                  f"{RESULTS}/summary.json"])
