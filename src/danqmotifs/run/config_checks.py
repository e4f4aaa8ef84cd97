"""Config values that pass the schema but would fail (or do damage) later: checked before any work.

``workflow/rules/common.smk`` calls :func:`check_config` right after the schema validation; each
problem is one :class:`~danqmotifs.core.errors.InputError` naming the config key, the problem and the fix.

- ``results``: empty or the filesystem root would plan every output at ``/`` (:func:`check_results_path`);
- two working directories writing into one results directory: the second run would replace the
  first's outputs and delete its training checkpoint. The results directory records the working
  directory that owns it in ``.danqmotifs-workdir`` (:func:`claim_results`);
- JASPAR releases that pyjaspar does not ship (pyjaspar only prints a notice and fails later with an
  AttributeError; :func:`danqmotifs.sources.jaspar.check_release`), planted matrix ids missing from the
  release, and JASPAR collections or tax groups without matrices (found otherwise by the matching,
  after the training) (:func:`check_jaspar`).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.config_defaults import with_defaults
from ..core.errors import InputError

#: file in the results directory naming the working directory that writes it
OWNER_FILE = ".danqmotifs-workdir"


def check_results_path(results: str) -> Path:
    """The results directory, resolved; empty, blank or the filesystem root is an InputError."""
    if not str(results).strip():
        raise InputError("config: results", "the results path is empty, so every output would be "
                         "planned at the filesystem root", "set results: to a directory, e.g. results")
    p = Path(str(results)).expanduser()
    resolved = Path(os.path.realpath(p))
    if resolved == Path(resolved.anchor):
        raise InputError("config: results", f"the results path {results!r} is the filesystem root",
                         "set results: to a directory of its own, e.g. results")
    return resolved


def _same(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name one existing directory (False for an empty or missing path)."""
    try:
        return bool(str(a)) and os.path.samefile(a, b)
    except OSError:
        return False


def claim_results(results: str, workdir: str | os.PathLike, dry_run: bool = False) -> None:
    """Record ``workdir`` as the owner of ``results``; another live owner is an InputError.

    The owner file holds two lines: the working directory and the results directory it wrote to.
    A record whose working directory no longer exists, or that was copied along with the results
    (it names another results directory), is taken over. With ``dry_run`` the check is made but
    nothing is written.
    """
    res = check_results_path(results)
    here = Path(os.path.realpath(workdir))
    owner_file = res / OWNER_FILE
    if owner_file.is_file():
        owner, _, wrote = owner_file.read_text().strip().partition("\n")
        owner, wrote = owner.strip(), wrote.strip()
        live = _same(wrote, res) and bool(owner) and Path(owner).is_dir()
        # the same directory under another name (a compute node's mount path) is the same owner
        if live and not _same(owner, here):
            raise InputError("config: results", f"{res} is already the results directory of the "
                             f"workflow run in {owner}; a second working directory writing there "
                             "would replace its outputs and delete its training checkpoint",
                             f"give this run its own results path, or delete {owner_file} if the run "
                             f"in {owner} is finished with it")
        if live:
            return                 # this directory already owns it
    if dry_run:
        return
    try:
        res.mkdir(parents=True, exist_ok=True)
        owner_file.write_text(f"{here}\n{res}\n")
    except OSError as exc:   # read-only, full disk, a file in the way: a message, not a traceback
        if owner_file.is_file() and not owner_file.read_bytes().endswith(b"\n"):
            owner_file.unlink(missing_ok=True)           # a partial record says nothing
        raise InputError("config: results", f"cannot write to the results directory {res} "
                         f"({exc.strerror or exc})", "choose a writable results path with free space "
                         "(results: in the config), or free disk space / fix the directory's permissions") from None


def jaspar_releases_used(config: dict) -> dict[str, str]:
    """Config key -> JASPAR release, for the releases this config will actually read."""
    out = {"match.jaspar_release": config["match"]["jaspar_release"]}
    if config["data"]["source"] == "simulate":
        out["data.simulate.jaspar_release"] = config["data"]["simulate"]["jaspar_release"]
    if config["model"].get("preset") == "danq_jaspar":
        out["model.jaspar_release"] = config["model"]["jaspar_release"]
    return out


def jaspar_collections_used(config: dict) -> dict[str, tuple[str, str, str]]:
    """Config keys -> (release, collection, tax group) of the JASPAR collections this config reads."""
    m = config["match"]
    out = {"match.collection/tax_group": (m["jaspar_release"], m["collection"], m["tax_group"])}
    model = with_defaults(config["model"], "model")
    if model["preset"] == "danq_jaspar" and model["source"] == "train":
        out["model.jaspar_collection/jaspar_tax_group"] = (
            model["jaspar_release"], model["jaspar_collection"], model["jaspar_tax_group"])
    return out


def check_jaspar(config: dict) -> None:
    """The JASPAR releases, matrix ids and collections the config names exist in pyjaspar (else
    the data stage, or the matching after hours of training, would be the first to find out)."""
    from ..sources.jaspar import check_release, collection_size, fetch_motifs

    for key, release in jaspar_releases_used(config).items():
        check_release(release, f"config: {key}")
    if config["data"]["source"] == "simulate":
        sim = config["data"]["simulate"]
        fetch_motifs(sim["motif_ids"], sim["jaspar_release"], where="config: data.simulate.motif_ids")
    for key, (release, collection, tax_group) in jaspar_collections_used(config).items():
        if collection_size(release, collection, tax_group or None) == 0:
            raise InputError(f"config: {key}", f"{release} has no matrices in collection "
                             f"{collection!r}, tax group {tax_group!r}",
                             "use names as JASPAR spells them, e.g. CORE and vertebrates "
                             "(an empty tax group means all)")


#: the largest integer every library the workflow passes config values to takes (numpy int64)
MAX_INT = 2**63 - 1


def check_values(config, key: str = "") -> None:
    """Values no later stage reads as written: a path starting with ``~`` (Snakemake and the rule
    scripts do not expand it: a directory named ``~`` would be used) and integers beyond int64."""
    if isinstance(config, dict):
        for k, v in config.items():
            check_values(v, f"{key}.{k}" if key else str(k))
    elif isinstance(config, list):
        for i, v in enumerate(config):
            check_values(v, f"{key}[{i}]")
    elif isinstance(config, str) and config.startswith("~"):
        raise InputError(f"config: {key}", f"the path {config!r} starts with '~', which is not expanded here",
                         f"write the full path ({os.path.expanduser(config)!r} on this machine) or a path "
                         "relative to the working directory")
    elif isinstance(config, int) and not isinstance(config, bool) and abs(config) > MAX_INT:
        raise InputError(f"config: {key}", f"the integer {config} is beyond what the libraries take "
                         f"(at most {MAX_INT})", "give a smaller value")


def check_config(config: dict, workdir: str | os.PathLike, dry_run: bool = False) -> None:
    """Every check of this module on a schema-validated config (see the module docstring)."""
    check_values(config)
    check_results_path(config["results"])
    check_jaspar(config)
    claim_results(config["results"], workdir, dry_run)        # last: it writes the owner file
