"""Rule faithfulness: per kernel and motif method, the correlation of the method's log-likelihood
with the kernel's score and the AUC change of swapping that kernel alone for the method's
substitute -> faithfulness.tsv, faithfulness.json."""

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from danqmotifs.core.errors import atomic_output, run_guarded
from danqmotifs.core.logsetup import script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.formats.influence_table import write_rows
    from danqmotifs.model.modelio import load_model
    from danqmotifs.model.training.runtime import configure_runtime
    from danqmotifs.trust.faithfulness import faithfulness_columns, kernel_faithfulness

    p = sm.params
    configure_runtime(p.seed, sm.threads)
    files = dict(zip(p.methods, sm.input.methods))
    rows, summ = kernel_faithfulness(load_model(sm.input.model), sm.input.kernels, sm.input.base, files,
                                     sm.input.data, p.n_sequences, p.seed, p.n_windows, p.batch_size, p.average_rc,
                                     tmp_dir=Path(sm.output.table).parent, log=lambda m: print(m, flush=True))
    write_rows(rows, faithfulness_columns(p.methods), sm.output.table)
    with atomic_output(sm.output.json) as tmp:
        Path(tmp).write_text(json.dumps(summ, indent=1) + "\n")
    for m, s in summ["methods"].items():
        print(f"{m}: median correlation {s['median_corr']}, mean AUC change of a one-kernel swap {s['mean_d_roc_auc']}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
