# On simulated data: the standard filter-analysis metrics (kernels matching JASPAR, matching a planted
# motif or its family, planted motifs covered, false-annotation rate) beside the planted recovery
# (danqmotifs.trust.filter_metrics).
#
#   match/{method}.{distance}.h5 + data/truth.meme + match/jaspar_families.tsv
#   -> match/filter_metrics.tsv                                                   (filter_metrics)

if SIMULATED:

    rule filter_metrics:
        input:
            truth=path("truth"),
            results=[
                path("method_matches", method=m, distance=d)
                for d in DISTANCES
                for m in METHODS
            ],
            families=path("jaspar_families"),
        output:
            report(
                path("filter_metrics"),
                caption="../report/filter_metrics.rst",
                category="Planted motifs",
            ),
        log:
            f"{LOGS}/filter_metrics.log",
        benchmark:
            f"{BENCH}/filter_metrics.tsv"
        conda:
            "../../envs/match.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        params:
            q_threshold=MATCH_CFG["q_threshold"],
            distances=[d for d in DISTANCES for m in METHODS],
        script:
            "../scripts/filter_metrics.py"
