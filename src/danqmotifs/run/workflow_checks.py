"""Every check of a run's config and cluster settings that needs this package, in one call.

The workflow's ``.smk`` files are read by a Snakemake that may not have this package (a deployed
workflow whose rules run in conda environments), so they call :func:`check_workflow` in two places:

- when Snakemake's own Python has the package, while the workflow is read (``common.smk``): a bad
  value stops the run before any job, dry runs included;
- always in rule ``check_config`` (``workflow/scripts/check_config.py``), run where the rules'
  environment has the package, first (its priority) and in every run (a target of ``rule all``);
- again at the start of every job that starts from the config alone (:func:`check_in_job`: data,
  JASPAR database, JASPAR initial motifs, the k2p simulation's chunks), so no long job runs on a
  bad config even where Snakemake's Python lacks the package.

The check is not an input of those jobs: a rule whose input comes from a job that reruns is masked
by Snakemake's rerun logic (Snakemake 9: a job downstream of a rerun job is not checked for its own
changed params when that input is ``ancient()``), so an edited config would run the check alone and
leave every result stale (tests/test_config_rerun.py).

Both give the same one-line :class:`~danqmotifs.core.errors.InputError` messages.
"""

from __future__ import annotations

import os
from typing import Mapping

from ..motifs import methods as motif_methods
from .cluster import check_gpu_switch, check_threads
from .config_checks import check_config


def check_workflow(config: dict, workdir: str | os.PathLike, dry_run: bool = False,
                   set_threads: Mapping | None = None, set_resources: Mapping | None = None,
                   cores=None) -> list[str]:
    """Check a schema-validated config (:func:`danqmotifs.run.config_checks.check_config`), its motif
    methods (plugins loaded) and the profile's threads and GPUs (:mod:`danqmotifs.run.cluster`).

    Parameters
    ----------
    config : the config after the schema's validation (defaults filled in).
    workdir : the working directory snakemake runs in (owner of the results directory).
    dry_run : make the checks but write nothing (the results directory's owner file).
    set_threads, set_resources, cores : the run's ``--set-threads``, ``--set-resources`` and
        ``--cores`` (profile included), as plain values.

    Returns
    -------
    The motif methods, resolved.
    """
    check_config(config, workdir, dry_run=dry_run)
    names = motif_methods.resolve(config["motifs"]["methods"], config["motifs"]["plugins"])
    check_gpu_switch(config["train"]["gpus"], set_resources or {})
    check_threads(set_threads or {}, cores)
    return names


def check_in_job(config: dict, workdir: str | os.PathLike = ".") -> list[str]:
    """The config checks of :func:`check_workflow`, made at the start of a job that starts from the
    config alone (the job's ``snakemake.config``); writes nothing (rule ``check_config`` writes the
    results directory's owner file). Threads and resources are the main process's to check.

    Returns
    -------
    The motif methods, resolved.
    """
    check_config(config, workdir, dry_run=True)
    return motif_methods.resolve(config["motifs"]["methods"], config["motifs"]["plugins"])
