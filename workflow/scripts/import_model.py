"""Rule import_model (model.source: file): a .keras model or DanQ's published weights ->
model/best.keras and targets.txt, checked against the data."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from danqmotifs.core.errors import run_guarded
from danqmotifs.core.logsetup import script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.model.model_import import import_model
    from danqmotifs.model.training.runtime import configure_runtime

    configure_runtime(0, sm.threads)
    info = import_model(sm.input.model_file, sm.input.data, sm.output.model, sm.output.targets,
                        sm.params.pool or None)
    print(f"{sm.input.model_file} ({info['kind']}): {info['kernels']} kernels x {info['kernel_width']}, "
          f"{info['length']} bp, {info['n_targets']} targets, {info['n_params']:,} parameters; "
          f"saved as {sm.output.model} (max |prediction difference| {info['max_abs_diff']:.2g})")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
