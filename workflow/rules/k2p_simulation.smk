# The k2p paper's simulation benchmark over JASPAR matrices (docs/k2p_simulation.md): one small
# CNN per matrix, its kernel turned into a PWM exactly and by the heuristic, both scored under the
# authors' protocol and on the held-out test split; paired one-sided Wilcoxon tests over the matrices.
#
#   pyjaspar -> figures/k2p_simulation/chunks/{chunk}.tsv   (rule k2p_simulation_chunk, one job per
#                                                             chunk of `chunk_size` matrices)
#            -> figures/k2p_simulation/motifs.tsv, wilcoxon.json, scatter.png, differences.png,
#               heldout.png
#                                                            (rule k2p_simulation: `snakemake k2p_simulation`)
#
# The number of chunks comes from the config alone (motif_ids or sample, over chunk_size; `chunks`
# when every matrix of the set runs), so the workflow is read without the package; the matrices of
# each chunk are chosen when a chunk job is planned (a lazy import, once) and a bad setting stops
# the run before any chunk starts; a killed run redoes only the missing chunks.

K2P_CFG = config["figures"]["k2p_simulation"]  # defaults filled in by the schema
K2P_DIR = f"{RESULTS}/figures/k2p_simulation"
_k2p_n = K2P_CFG["sample"] or len(K2P_CFG["motif_ids"])
K2P_N_CHUNKS = (
    math.ceil(_k2p_n / K2P_CFG["chunk_size"]) if _k2p_n else K2P_CFG["chunks"]
)


localrules:
    k2p_simulation,


rule k2p_simulation_chunk:
    output:
        rows=f"{K2P_DIR}/chunks/{{chunk}}.tsv",
    log:
        f"{LOGS}/k2p_simulation/chunk_{{chunk}}.log",
    benchmark:
        f"{BENCH}/k2p_simulation/chunk_{{chunk}}.tsv"
    wildcard_constraints:
        chunk=r"\d+",
    conda:
        "../../envs/match.yaml"
    threads: K2P_CFG["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        ids=lambda wc: k2p_chunk_ids(int(wc.chunk)),
        cfg=K2P_CFG,
        seed=config["seed"],
    script:
        "../scripts/k2p_simulation_chunk.py"


rule k2p_simulation:
    input:
        rows=expand(f"{K2P_DIR}/chunks/{{chunk}}.tsv", chunk=range(K2P_N_CHUNKS)),
    output:
        table=f"{K2P_DIR}/motifs.tsv",
        wilcoxon=f"{K2P_DIR}/wilcoxon.json",
        scatter=report(
            f"{K2P_DIR}/scatter.png",
            caption="../report/k2p_simulation.rst",
            category="Paper figures",
            subcategory="k2p simulation",
        ),
        differences=report(
            f"{K2P_DIR}/differences.png",
            caption="../report/k2p_simulation.rst",
            category="Paper figures",
            subcategory="k2p simulation",
        ),
        heldout=report(
            f"{K2P_DIR}/heldout.png",
            caption="../report/k2p_simulation.rst",
            category="Paper figures",
            subcategory="k2p simulation",
        ),
    log:
        f"{LOGS}/k2p_simulation/aggregate.log",
    benchmark:
        f"{BENCH}/k2p_simulation/aggregate.tsv"
    conda:
        "../../envs/match.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        cfg=K2P_CFG,
    script:
        "../scripts/k2p_simulation_aggregate.py"
