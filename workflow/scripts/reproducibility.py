"""Rule reproducibility: all training replicates' exact motifs clustered across replicates
-> reproducibility.tsv (per cluster: replicates, representative, JASPAR match, mean influence and
faithfulness), reproducibility_kernels.tsv (each kernel's cluster)."""

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.formats.influence_table import read_influence_table
    from danqmotifs.formats.meme import read_meme
    from danqmotifs.formats.method_file import read_kernel_pwms
    from danqmotifs.formats.tsv import read_tsv
    from danqmotifs.trust.replicates import (cluster_rows, replicate_members, write_cluster_table,
                                       write_member_table)

    members = []
    n = len(sm.input.exact)
    for r, (ex, inf, fa) in enumerate(zip(sm.input.exact, sm.input.influence, sm.input.faithfulness)):
        d = read_kernel_pwms(ex)
        res = read_influence_table(inf)
        ms = replicate_members(r, d["pwms"], d["nsites"], d["keep"], res.overall, read_tsv(fa), sm.params.trim_ic)
        print(f"replicate {r}: {len(ms)} of {d['pwms'].shape[0]} kernels with influence > 0")
        members += ms
    jaspar, _ = read_meme(sm.input.jaspar)
    rows, labels = cluster_rows(members, n, jaspar, sm.params.link_p)
    write_cluster_table(rows, sm.output.table)
    write_member_table(members, labels, sm.output.kernels)
    shared = sum(r["replicates"] == n for r in rows)
    print(f"{len(rows)} clusters of {len(members)} kernels; {shared} found in all {n} replicates")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
