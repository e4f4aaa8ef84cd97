# From kernels to PWMs (design.md sections 4-7):
#
#   model/best.keras + data/{split}.h5 -> motifs/kernels.h5      (dump_kernels: W, biases, sample)
#   motifs/kernels.h5                  -> motifs/scores.h5       (scan_kernels: best window per pair)
#   kernels + scores                   -> motifs/base.json       (estimate_base: MLE of ln b)
#   kernels + scores + base            -> motifs/pwms.h5, heuristic.h5, kernel_table.tsv,
#                                         exactness.json         (kernels_to_pwms)

MOTIFS_CFG = config["motifs"]
MOTIFS = {
    "kernels": f"{RESULTS}/motifs/kernels.h5",
    "scores": f"{RESULTS}/motifs/scores.h5",
    "base": f"{RESULTS}/motifs/base.json",
    "profile": f"{RESULTS}/motifs/base_profile.png",
    "pwms": f"{RESULTS}/motifs/pwms.h5",
    "heuristic": f"{RESULTS}/motifs/heuristic.h5",
    "table": f"{RESULTS}/motifs/kernel_table.tsv",
    "exactness": f"{RESULTS}/motifs/exactness.json",
}


rule dump_kernels:
    input:
        model=f"{RESULTS}/model/best.keras",
        data=data_file(MOTIFS_CFG["split"]),
    output:
        MOTIFS["kernels"],
    params:
        split=MOTIFS_CFG["split"],
        n_sequences=MOTIFS_CFG["n_sequences"],
        positive_for=MOTIFS_CFG["positive_for"],
        seed=config["seed"],
    log:
        f"{LOGS}/dump_kernels.log",
    benchmark:
        f"{BENCH}/dump_kernels.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    conda:
        "../../envs/motifs.yaml"
    script:
        "../scripts/dump_kernels.py"


rule scan_kernels:
    input:
        kernels=MOTIFS["kernels"],
    output:
        scores=MOTIFS["scores"],
    params:
        strands=MOTIFS_CFG["strands"],
        heuristic_strands=MOTIFS_CFG["heuristic_strands"],
        batch_size=MOTIFS_CFG["batch_size"],
        engine=MOTIFS_CFG["engine"],
    log:
        f"{LOGS}/scan_kernels.log",
    benchmark:
        f"{BENCH}/scan_kernels.tsv"
    threads: MOTIFS_CFG["threads"]
    resources:
        mem_mb=6000,
        runtime=30,
    conda:
        "../../envs/motifs.yaml"
    script:
        "../scripts/scan_kernels.py"


rule estimate_base:
    input:
        kernels=MOTIFS["kernels"],
        scores=MOTIFS["scores"],
    output:
        base=MOTIFS["base"],
        profile=report(MOTIFS["profile"], caption="../report/base_profile.rst", category="Motifs"),
    params:
        sequences=MOTIFS_CFG["sequences"],
        base=MOTIFS_CFG["base"],
        strands=MOTIFS_CFG["strands"],
    log:
        f"{LOGS}/estimate_base.log",
    benchmark:
        f"{BENCH}/estimate_base.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    conda:
        "../../envs/motifs.yaml"
    script:
        "../scripts/estimate_base.py"


rule kernels_to_pwms:
    input:
        kernels=MOTIFS["kernels"],
        scores=MOTIFS["scores"],
        base=MOTIFS["base"],
    output:
        pwms=MOTIFS["pwms"],
        heuristic=MOTIFS["heuristic"],
        table=MOTIFS["table"],
        exactness=MOTIFS["exactness"],
    params:
        heuristic_strands=MOTIFS_CFG["heuristic_strands"],
        exactness_windows=MOTIFS_CFG["exactness_windows"],
        tolerance=1e-9,
        seed=config["seed"],
    log:
        f"{LOGS}/kernels_to_pwms.log",
    benchmark:
        f"{BENCH}/kernels_to_pwms.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    conda:
        "../../envs/motifs.yaml"
    script:
        "../scripts/kernels_to_pwms.py"


FINAL.extend(
    MOTIFS[k]
    for k in ("kernels", "base", "profile", "pwms", "heuristic", "table", "exactness")
)
