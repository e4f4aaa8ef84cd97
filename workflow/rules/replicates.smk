# Reproducibility across seeds (train.replicates: N > 1). Replicate 0 is the run itself (its paths
# unchanged); replicates 1 .. N-1 are trained with seed + r as separate jobs and go through the same
# rules (train, dump_kernels, scan_kernels, estimate_base, motif_method, influence, faithfulness)
# under replicates/rep<r>/. All replicates' exact motifs are then clustered (danqmotifs.trust.replicates):
#
#   {results, replicates/rep<r>}/motifs/exact.h5 + eval/{influence,faithfulness}.tsv + match/jaspar.meme
#   -> reproducibility.tsv (one row per cluster), reproducibility_kernels.tsv       (reproducibility)
#
# With N = 1 (the default) nothing here exists.

if REPRODUCIBILITY and not (TRAINED and INFLUENCE and "exact" in METHODS):
    raise WorkflowError(
        f"config: train.replicates is {REPLICATES}, but replicates need model.source: train, "
        "influence.enabled: true and the exact motif method. Fix: set train.replicates: 1 or "
        "enable those."
    )

if REPRODUCIBILITY:

    wildcard_constraints:
        rep="[1-9][0-9]*",

    use rule train as train_replicate with:
        output:
            model=rep_pattern("model"),
            history=rep_pattern("history"),
            targets=rep_pattern("targets"),
            curves=rep_pattern("curves"),
        log:
            f"{LOGS}/replicates/train_rep{{rep}}.log",
        benchmark:
            f"{BENCH}/replicates/train_rep{{rep}}.tsv"
        params:
            # model= and train= come from rule train (use rule merges params by name)
            seed=lambda wc: config["seed"] + int(wc.rep),
            checkpoint=lambda wc: rep_path("checkpoint", wc.rep),

    use rule dump_kernels as dump_kernels_replicate with:
        input:
            model=rep_pattern("model"),
            data=SAMPLE_INPUT,
        output:
            rep_pattern("kernels"),
        log:
            f"{LOGS}/replicates/dump_kernels_rep{{rep}}.log",
        benchmark:
            f"{BENCH}/replicates/dump_kernels_rep{{rep}}.tsv"

    use rule scan_kernels as scan_kernels_replicate with:
        input:
            kernels=rep_pattern("kernels"),
        output:
            scores=rep_pattern("scores"),
        log:
            f"{LOGS}/replicates/scan_kernels_rep{{rep}}.log",
        benchmark:
            f"{BENCH}/replicates/scan_kernels_rep{{rep}}.tsv"

    use rule estimate_base as estimate_base_replicate with:
        input:
            kernels=rep_pattern("kernels"),
            scores=rep_pattern("scores"),
        output:
            base=rep_pattern("base"),
            profile=rep_pattern("base_profile"),
        log:
            f"{LOGS}/replicates/estimate_base_rep{{rep}}.log",
        benchmark:
            f"{BENCH}/replicates/estimate_base_rep{{rep}}.tsv"

    use rule motif_method as motif_method_replicate with:
        input:
            kernels=rep_pattern("kernels"),
            scores=rep_pattern("scores"),
            base=rep_pattern("base"),
        output:
            h5=rep_pattern("method_h5"),
            report=rep_pattern("method_json"),
        log:
            f"{LOGS}/replicates/motif_method_{{method}}_rep{{rep}}.log",
        benchmark:
            f"{BENCH}/replicates/motif_method_{{method}}_rep{{rep}}.tsv"

    use rule influence as influence_replicate with:
        input:
            model=rep_pattern("model"),
            data=path(EVAL_CFG["split"]),
        output:
            table=rep_pattern("influence_table"),
            ranked=rep_pattern("influence_ranked"),
            json=rep_pattern("influence_json"),
            figure=rep_pattern("influence_figure"),
        log:
            f"{LOGS}/replicates/influence_rep{{rep}}.log",
        benchmark:
            f"{BENCH}/replicates/influence_rep{{rep}}.tsv"

    use rule faithfulness as faithfulness_replicate with:
        input:
            model=rep_pattern("model"),
            kernels=rep_pattern("kernels"),
            base=rep_pattern("base"),
            methods=[rep_pattern("method_h5").replace("{method}", m) for m in METHODS],
            data=path(EVAL_CFG["split"]),
        output:
            table=rep_pattern("faithfulness_table"),
            json=rep_pattern("faithfulness_json"),
        log:
            f"{LOGS}/replicates/faithfulness_rep{{rep}}.log",
        benchmark:
            f"{BENCH}/replicates/faithfulness_rep{{rep}}.tsv"

    rule reproducibility:
        input:
            exact=[rep_path("method_h5", r, method="exact") for r in range(REPLICATES)],
            influence=[rep_path("influence_table", r) for r in range(REPLICATES)],
            faithfulness=[rep_path("faithfulness_table", r) for r in range(REPLICATES)],
            jaspar=path("jaspar_db"),
        output:
            table=report(
                path("reproducibility"),
                caption="../report/reproducibility.rst",
                category="Motif table",
            ),
            kernels=path("reproducibility_kernels"),
        log:
            f"{LOGS}/reproducibility.log",
        benchmark:
            f"{BENCH}/reproducibility.tsv"
        conda:
            "../../envs/match.yaml"
        threads: 1
        resources:
            mem_mb=2000,
            runtime=30,
        params:
            trim_ic=config["meme"]["trim_ic"],
            link_p=INFLUENCE_CFG["replicate_link_p"],
        script:
            "../scripts/reproducibility.py"
