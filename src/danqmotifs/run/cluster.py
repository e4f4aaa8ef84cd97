"""Checks, made while snakemake reads the workflow, that a cluster run gets what its profile promises.

Two mistakes give a cluster run other resources than the profile says, without any error:

- a profile's ``set-threads`` above ``--cores``: snakemake caps every job's threads at ``--cores``,
  cluster jobs included, so ``cores: all`` from ``profiles/default`` (the login node's cores) silently
  shrinks the training job (:func:`check_threads`);
- GPUs asked for by the profile (``set-resources: <rule>: gpu``) while the config's ``train.gpus``
  picks the CPU build of TensorFlow, or the reverse (:func:`check_gpu_switch`).

Both raise :class:`~danqmotifs.core.errors.InputError` before any job is planned. The functions take
plain numbers and mappings; ``workflow/rules/train.smk`` passes them snakemake's settings
(:func:`resource_value` reads snakemake's ``Resource`` objects).
"""

from __future__ import annotations

from typing import Iterable, Mapping

from ..core.errors import InputError

#: the rules whose TensorFlow build (and GPU request) follows train.gpus
GPU_RULES = ("train", "evaluate", "predict", "fidelity", "train_replicate", "influence", "influence_replicate",
             "faithfulness", "faithfulness_replicate", "score_variants")


def resource_value(value):
    """A plain value from a snakemake ``Resource`` (or the value itself)."""
    return getattr(value, "value", value)


def check_threads(set_threads: Mapping[str, object], cores) -> None:
    """Every ``set-threads`` entry must fit within ``--cores`` (else snakemake lowers it silently).

    Parameters
    ----------
    set_threads : rule -> threads asked for by the profile or ``--set-threads``.
    cores : the run's ``--cores`` (None: not set, no cap).
    """
    cores = resource_value(cores)
    if cores is None:
        return
    for rule, threads in set_threads.items():
        threads = resource_value(threads)
        if isinstance(threads, int) and threads > int(cores):
            raise InputError(f"set-threads: {rule}", f"the profile asks for {threads} threads but "
                             f"--cores is {cores}, and snakemake caps every job's threads at --cores "
                             "(cluster jobs too), so the job would get only "
                             f"{cores}; profiles/default's 'cores: all' gives the login node's count",
                             "use the cluster profile as the workflow profile "
                             "(snakemake --workflow-profile profiles/slurm), which sets cores itself, "
                             f"or pass --cores {threads} or more")


def check_gpu_switch(train_gpus: int, set_resources: Mapping[str, Mapping[str, object]],
                     rules: Iterable[str] = GPU_RULES) -> None:
    """``train.gpus`` picks both the GPU request and the TensorFlow build; a profile asking for a
    different number of GPUs for one of ``rules`` is an error.

    Parameters
    ----------
    train_gpus : the config's train.gpus (0: CPU build, no GPU asked for).
    set_resources : rule -> resources set by the profile or ``--set-resources``.
    rules : the rules that run TensorFlow.
    """
    for rule in rules:
        if "gpu" not in set_resources.get(rule, {}):
            continue
        gpu = resource_value(set_resources[rule]["gpu"])
        if not isinstance(gpu, int) or gpu != int(train_gpus):
            build = "the CUDA build (envs/train_gpu.yaml)" if train_gpus else "the CPU build (envs/train.yaml)"
            raise InputError(f"set-resources: {rule}: gpu", f"the profile asks for gpu={gpu} for rule "
                             f"{rule} but the config's train.gpus is {train_gpus}, which picks {build} "
                             "of TensorFlow and the GPUs asked for",
                             f"set train.gpus: {gpu} in your config (one switch for the GPUs and the "
                             "TensorFlow build), or remove gpu from the profile")
