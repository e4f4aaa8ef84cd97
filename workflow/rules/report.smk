# Pictures and the planted-motif benchmark. `snakemake --report results/report.html` gathers
# every output wrapped in report() (captions in workflow/report/).


rule logos:
    input:
        queries=[query_meme(m) for m in METHODS],
        dead=per_method("dead"),
        db=path("jaspar_db"),
        best=path("best"),
    output:
        logos=report(
            directory(path("logos")),
            patterns=["{kernel}.png"],
            caption="../report/logos.rst",
            category="Motifs",
            subcategory="Logos",
            labels=logo_labels,
        ),
    log:
        f"{LOGS}/logos.log",
    benchmark:
        f"{BENCH}/logos.tsv"
    conda:
        "../../envs/match.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        methods=METHODS,
        plugins=config["motifs"]["plugins"],
        q_threshold=MATCH_CFG["q_threshold"],
    script:
        "../scripts/logos.py"


if SIMULATED:

    rule planted_benchmark:
        input:
            **({"fidelity": path("fidelity_json")} if FIDELITY else {}),
            truth=path("truth"),
            results=[
                path("method_matches", method=m, distance=d)
                for d in DISTANCES
                for m in ROUTES
            ],
            families=path("jaspar_families"),
        output:
            table=report(
                path("planted_table"),
                caption="../report/planted_table.rst",
                category="Planted motifs",
            ),
            figure=report(
                path("planted_figure"),
                caption="../report/planted.rst",
                category="Planted motifs",
            ),
            summary=path("summary"),
        log:
            f"{LOGS}/planted_benchmark.log",
        benchmark:
            f"{BENCH}/planted_benchmark.tsv"
        conda:
            "../../envs/match.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        params:
            match=MATCH_CFG,
            distances=[d for d in DISTANCES for m in ROUTES],
        script:
            "../scripts/planted_benchmark.py"
