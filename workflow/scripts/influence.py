"""Rule influence: each kernel's activation replaced by its mean on a sample of the evaluation split
-> influence.tsv (kernel x target), influence_ranked.tsv, influence.json, influence.png."""

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from danqmotifs.core.errors import atomic_output, run_guarded
from danqmotifs.core.logsetup import script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.formats.influence_table import (INFLUENCE_COLUMNS, RANKED_COLUMNS, influence_rows,
                                                    ranked_rows, write_rows)
    from danqmotifs.model.modelio import load_model
    from danqmotifs.model.training.runtime import configure_runtime
    from danqmotifs.report.plot.influence import influence_figure
    from danqmotifs.trust.influence import influence_on_split

    p = sm.params
    configure_runtime(p.seed, sm.threads)
    res, summ = influence_on_split(load_model(sm.input.model), sm.input.data, p.n_sequences, p.seed, p.batch_size,
                                   p.average_rc, tmp_dir=Path(sm.output.table).parent,
                                   log=lambda m: print(m, flush=True))
    summ["split"] = p.split
    write_rows(influence_rows(res), INFLUENCE_COLUMNS, sm.output.table)
    write_rows(ranked_rows(res), RANKED_COLUMNS, sm.output.ranked)
    with atomic_output(sm.output.json) as tmp:
        Path(tmp).write_text(json.dumps(summ, indent=1) + "\n")
    influence_figure(sm.output.figure, res.mean_dlogit, list(range(res.mean_dlogit.shape[0])), res.targets,
                     title=f"kernel influence: mean delta logit, {res.n_sequences} {p.split} sequences")
    print(f"influence of {summ['n_kernels']} kernels on {summ['n_targets']} targets; most influential: "
          f"{summ['top_kernels'][:5]}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
