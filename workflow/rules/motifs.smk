# From kernels to motifs (docs/design.md sections 4-7):
#
#   model/best.keras + data/{split}.h5 -> motifs/kernels.h5        (dump_kernels: W, biases, sample)
#   motifs/kernels.h5                  -> motifs/scores.h5         (scan_kernels: best window per pair)
#   kernels + scores                   -> motifs/base.json         (estimate_base: MLE of ln b)
#   kernels + scores + base            -> motifs/{method}.h5, .json (motif_method: one job per method
#                                         of the registry in src/danqmotifs/motifs/methods.py)
#   all of them                        -> motifs/kernel_table.tsv  (kernel_table)

MOTIFS_CFG = config["motifs"]
# the sequence sample: motifs.split of the data, or an unlabelled DeepSEA-layout one-hot file
SAMPLE_INPUT = MOTIFS_CFG["sample_file"] or path(MOTIFS_CFG["split"])
if MOTIFS_CFG["sample_file"] and MOTIFS_CFG["positive_for"]:
    raise WorkflowError(
        "config: motifs.sample_file has no labels, so motifs.positive_for cannot select from it. "
        "Fix: empty motifs.positive_for, or empty motifs.sample_file to sample motifs.split."
    )


wildcard_constraints:
    method="|".join(ROUTES),


rule dump_kernels:
    input:
        **MODEL_OR_KERNELS,
        data=SAMPLE_INPUT,
    output:
        path("kernels"),
    log:
        f"{LOGS}/dump_kernels.log",
    benchmark:
        f"{BENCH}/dump_kernels.tsv"
    conda:
        "../../envs/motifs.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    params:
        split=MOTIFS_CFG["split"],
        sample_file=MOTIFS_CFG["sample_file"],
        n_sequences=MOTIFS_CFG["n_sequences"],
        positive_for=MOTIFS_CFG["positive_for"],
        seed=config["seed"],
        model=MODEL_CFG,
    script:
        "../scripts/dump_kernels.py"


rule scan_kernels:
    input:
        kernels=path("kernels"),
    output:
        scores=path("scores"),
    log:
        f"{LOGS}/scan_kernels.log",
    benchmark:
        f"{BENCH}/scan_kernels.tsv"
    conda:
        "../../envs/motifs.yaml"
    threads: MOTIFS_CFG["threads"]
    resources:
        mem_mb=6000,
        runtime=30,
    params:
        strands=MOTIFS_CFG["strands"],
        heuristic_strands=MOTIFS_CFG["heuristic_strands"],
        batch_size=MOTIFS_CFG["batch_size"],
        engine=MOTIFS_CFG["engine"],
    script:
        "../scripts/scan_kernels.py"


rule estimate_base:
    input:
        kernels=path("kernels"),
        scores=path("scores"),
    output:
        base=path("base"),
        profile=report(
            path("base_profile"),
            caption="../report/base_profile.rst",
            category="Motifs",
        ),
    log:
        f"{LOGS}/estimate_base.log",
    benchmark:
        f"{BENCH}/estimate_base.tsv"
    conda:
        "../../envs/motifs.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    params:
        sequences=MOTIFS_CFG["sequences"],
        base=MOTIFS_CFG["base"],
        strands=MOTIFS_CFG["strands"],
    script:
        "../scripts/estimate_base.py"


rule motif_method:
    input:
        kernels=path("kernels"),
        scores=path("scores"),
        base=path("base"),
    output:
        h5=PATHS["method_h5"],
        report=PATHS["method_json"],
    log:
        f"{LOGS}/motif_method_{{method}}.log",
    benchmark:
        f"{BENCH}/motif_method_{{method}}.tsv"
    conda:
        "../../envs/motifs.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    params:
        options=dict(MOTIFS_CFG, tolerance=1e-9, seed=config["seed"]),
    script:
        "../scripts/motif_method.py"


rule kernel_table:
    input:
        kernels=path("kernels"),
        scores=path("scores"),
        base=path("base"),
        motifs=per_method("method_h5"),
    output:
        report(
            path("kernel_table"),
            caption="../report/kernel_table.rst",
            category="Motifs",
        ),
    log:
        f"{LOGS}/kernel_table.log",
    benchmark:
        f"{BENCH}/kernel_table.tsv"
    conda:
        "../../envs/motifs.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        methods=METHODS,
        activation_strands=MOTIFS_CFG["heuristic_strands"],
    script:
        "../scripts/kernel_table.py"
