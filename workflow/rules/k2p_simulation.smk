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
# The matrices are chosen (and every config problem reported) when the workflow is parsed, so a bad
# setting stops the run before anything is written; a killed run redoes only the missing chunks.

from danqmotifs.papers.k2p.simulation.select import (
    chunks as k2p_chunks,
    select_motifs as k2p_select,
)
from danqmotifs.papers.k2p.simulation.settings import (
    Settings as K2PSettings,
    with_defaults as k2p_with_defaults,
)

K2P_CFG = k2p_with_defaults(config.get("figures", {}).get("k2p_simulation"))
K2P_DIR = f"{RESULTS}/figures/k2p_simulation"
try:
    K2PSettings.from_config(K2P_CFG["sizes"], K2P_CFG["training"])  # checks only
    K2P_IDS = [
        m.id
        for m in k2p_select(
            K2P_CFG["release"],
            K2P_CFG["collection"],
            K2P_CFG["tax_group"],
            K2P_CFG["motif_ids"],
            K2P_CFG["sample"],
            config["seed"],
            K2P_CFG["sizes"]["length"],
        )
    ]
    K2P_CHUNKS = k2p_chunks(K2P_IDS, K2P_CFG["chunk_size"])
except InputError as exc:
    raise WorkflowError(str(exc))


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
        ids=lambda wc: K2P_CHUNKS[int(wc.chunk)],
        cfg=K2P_CFG,
        seed=config["seed"],
    script:
        "../scripts/k2p_simulation_chunk.py"


rule k2p_simulation:
    input:
        rows=expand(f"{K2P_DIR}/chunks/{{chunk}}.tsv", chunk=range(len(K2P_CHUNKS))),
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
