# Read with Snakemake and the standard library alone (no danqmotifs import while the workflow is
# read): a deployed workflow runs its rules in conda environments (envs/*.yaml) that install the
# package, from a Snakemake that may not have it. What the rules need from the package at parse
# time is plain data read from the package's files (the sources: src/danqmotifs/sources/sources.json
# through sources/registry.py, standard library only; the distances: tomtom/distances.json).
import importlib.util
import json
import math
import os
import re
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

try:
    validate(config, schema="../schemas/config.schema.yaml")
# the schema dump is long: the file, the key, the problem, a fix
except WorkflowError as exc:
    config_error(short_schema_error(str(exc)))

# The conda environments install this package from DANQMOTIFS_PIP (envs/*.yaml: "${DANQMOTIFS_PIP}",
# any pip requirement): by default the workflow's own directory when it is a local checkout; set it
# yourself for a workflow read from a git host (snakedeploy), e.g. "git+https://host/danqmotifs.git@v1.0"
# or "git+file:///srv/git/danqmotifs.git@v1.0".
_here = Path(str(workflow.basedir))
if "DANQMOTIFS_PIP" not in os.environ and (_here / "pyproject.toml").is_file():
    os.environ["DANQMOTIFS_PIP"] = str(_here.resolve())
if (
    "DANQMOTIFS_PIP" not in os.environ
    and "conda" in str(workflow.deployment_settings.deployment_method).lower()
):
    raise WorkflowError(
        f"DANQMOTIFS_PIP is not set and the workflow ({workflow.basedir}) is not a local checkout, "
        "so the conda environments cannot install the danqmotifs package. Fix: export "
        "DANQMOTIFS_PIP=git+<the workflow's git URL>@<its tag> (or a local checkout's path)."
    )
os.environ.setdefault("DANQMOTIFS_PIP", "")  # not used without conda

RESULTS = config["results"]
LOGS = f"{RESULTS}/logs"
BENCH = f"{RESULTS}/benchmarks"
SPLITS = ("train", "valid", "test")  # danqmotifs.sources.datafile.SPLITS


def _source_registry():
    """danqmotifs.sources.registry, loaded by its path (standard library alone): it reads the
    sources' facts from sources.json as the package does (source_path copies a file alone, so the
    table's path is given to load())."""
    path = workflow.source_path("../../src/danqmotifs/sources/registry.py")
    spec = importlib.util.spec_from_file_location("_danqmotifs_source_registry", path)
    loaded = importlib.util.module_from_spec(spec)
    # dataclasses look the class's module up while they make it
    sys.modules[spec.name] = loaded
    spec.loader.exec_module(loaded)
    return loaded


# The data sources (danqmotifs.sources.SOURCES without the converters): required config keys,
# input keys, extra outputs, memory (MB, a function of the block and the input sizes) and runtime.
_REGISTRY = _source_registry()
SOURCES = _REGISTRY.load(
    workflow.source_path("../../src/danqmotifs/sources/sources.json")
)
input_sizes = _REGISTRY.input_sizes
SOURCE = SOURCES[config["data"]["source"]]
SIMULATED = SOURCE.name == "simulate"
# motif methods: checked (and plugins loaded) by danqmotifs.run.workflow_checks
METHODS = list(config["motifs"]["methods"] or ("exact", "heuristic"))


def plain(value):
    """A plain value from one of snakemake's Resource objects (nested mappings too)."""
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: plain(v) for k, v in value.items()}
    try:
        return getattr(value, "value", value)
    except ValueError:  # a resource computed per job (a function): no plain value
        return str(value)


# what danqmotifs.run.workflow_checks.check_workflow needs besides the config
CHECK_SETTINGS = dict(
    set_threads=plain(workflow.resource_settings.overwrite_threads),
    set_resources=plain(workflow.resource_settings.overwrite_resources),
    cores=plain(workflow.global_resources.get("_cores")),
)


def check_now():
    """The package's config checks while the workflow is read, when Snakemake's Python has the
    package (a bad value then stops even a dry run); rule check_config makes them in any case.
    Only in the main process: a job (cluster or local) reads the workflow again with its own --cores.
    """
    if not workflow.is_main_process:
        return
    try:
        from danqmotifs.core.errors import InputError
        from danqmotifs.run.workflow_checks import check_workflow
    except ImportError:
        return
    try:
        # dry_run: reading the workflow writes nothing (-n and --lint leave a fresh clone untouched);
        # the results directory's owner file is written by the check_config job
        check_workflow(config, Path.cwd(), dry_run=True, **CHECK_SETTINGS)
    # the user's config, not the workflow: one line, no location
    except InputError as exc:
        config_error(str(exc))


check_now()

# Where the model comes from (model.source): trained here, imported from model.file (.keras or
# DanQ's published weights), or kernels alone in model.file (then only the motif stages run).
MODEL_SOURCE = config["model"]["source"]
TRAINED = MODEL_SOURCE == "train"
HAS_MODEL = MODEL_SOURCE != "kernels"
# The fidelity test needs a model and both the exact and the heuristic motifs (skipped otherwise).
FIDELITY = HAS_MODEL and {"exact", "heuristic"} <= set(METHODS)
DANQ_FIGURES = config["figures"]["danq"]["enabled"]
# The attribution route (attribution.smk): TF-MoDISco patterns of the model's attributions, matched
# beside the kernel methods under the route name "modisco" (needs a model).
MODISCO = HAS_MODEL and config["attribution"]["enabled"]
if MODISCO and "modisco" in METHODS:
    raise WorkflowError(
        "config: motifs.methods names a method 'modisco', the name of the attribution route. "
        "Fix: rename that method, or turn attribution.enabled off."
    )
# What is matched against JASPAR: the kernel methods, then the attribution route when it runs.
ROUTES = METHODS + (["modisco"] if MODISCO else [])

# Every output path of the workflow, by name; "{method}" stands for each motif method.
PATHS = {
    # the config checks (rule check_config), the first job of every run, no job's input
    "config_checked": f"{RESULTS}/checks/config.json",
    # data
    **{split: f"{RESULTS}/data/{split}.h5" for split in SPLITS},
    **{name: f"{RESULTS}/data/{file}" for name, file in SOURCE.extra_outputs.items()},
    # model
    "jaspar_init": f"{RESULTS}/model/jaspar_init.meme",
    "model": f"{RESULTS}/model/best.keras",
    "history": f"{RESULTS}/model/history.tsv",
    "targets": f"{RESULTS}/model/targets.txt",
    "curves": f"{RESULTS}/model/training_curves.png",
    "checkpoint": f"{RESULTS}/model/checkpoint",
    "auc_table": f"{RESULTS}/eval/{config['evaluate']['split']}_auc.tsv",
    "auc_figure": f"{RESULTS}/eval/auc.png",
    "predict": f"{RESULTS}/predict/{{name}}.tsv",
    # kernels -> motifs
    "kernels": f"{RESULTS}/motifs/kernels.h5",
    "scores": f"{RESULTS}/motifs/scores.h5",
    "base": f"{RESULTS}/motifs/base.json",
    "base_profile": f"{RESULTS}/motifs/base_profile.png",
    "method_h5": f"{RESULTS}/motifs/{{method}}.h5",
    "method_json": f"{RESULTS}/motifs/{{method}}.json",
    "kernel_table": f"{RESULTS}/motifs/kernel_table.tsv",
    "meme": f"{RESULTS}/motifs/{{method}}.meme",
    "meme_trimmed": f"{RESULTS}/motifs/{{method}}.trimmed.meme",
    "meme_rc": f"{RESULTS}/motifs/{{method}}.rc.meme",
    "dead": f"{RESULTS}/motifs/{{method}}_dead.tsv",
    # matching, logos, planted motifs
    "jaspar_db": f"{RESULTS}/match/jaspar.meme",
    "jaspar_families": f"{RESULTS}/match/jaspar_families.tsv",
    "method_matches": f"{RESULTS}/match/{{method}}.{{distance}}.h5",
    "matches": f"{RESULTS}/match/matches.tsv",
    "best": f"{RESULTS}/match/best_matches.tsv",
    "match_summary": f"{RESULTS}/match/match_summary.json",
    "pvalues": f"{RESULTS}/match/pvalues.h5",
    "best_p": f"{RESULTS}/match/best_p.png",
    "logos": f"{RESULTS}/logos",
    "planted_table": f"{RESULTS}/match/planted.tsv",
    "planted_figure": f"{RESULTS}/match/planted.png",
    "summary": f"{RESULTS}/summary.json",
    # the attribution route (attribution.smk)
    "attributions": f"{RESULTS}/attribution/attributions.h5",
    "attribution_json": f"{RESULTS}/attribution/attributions.json",
    "modisco_h5": f"{RESULTS}/attribution/modisco.h5",
    "modisco_meme": f"{RESULTS}/attribution/modisco.meme",
    "modisco_json": f"{RESULTS}/attribution/modisco.json",
    # the k2p fidelity test
    "fidelity_table": f"{RESULTS}/eval/fidelity.tsv",
    "fidelity_json": f"{RESULTS}/eval/fidelity.json",
    "fidelity_figure": f"{RESULTS}/eval/fidelity.png",
    # the DanQ paper's figures (figures.danq)
    "danq_scatter": f"{RESULTS}/danq/auc_scatter.png",
    "danq_classes": f"{RESULTS}/danq/auc_by_class.tsv",
    "danq_motifs": f"{RESULTS}/danq/motifs_matched.tsv",
    "danq_json": f"{RESULTS}/danq/danq_figures.json",
}


# The column distance of matches.tsv, best_matches.tsv, the logos and the "kernels matched" counts;
# on simulated data the planted-motif benchmark is reported under both distances.
# The names come from the package's table of distances, read with json alone; source_path finds it
# beside this file wherever the workflow is read from (a checkout, a module, a deployed git source).
DISTANCE_TABLE = Path(
    workflow.source_path("../../src/danqmotifs/tomtom/distances.json")
)
DISTANCE_NAMES = [
    d["name"] for d in json.loads(DISTANCE_TABLE.read_text())["distances"]
]
DISTANCE = config["match"]["distance"]
DISTANCES = [DISTANCE] + (
    [d for d in DISTANCE_NAMES if d != DISTANCE] if SIMULATED else []
)


def path(key, /, **wildcards):
    """An output path by its key in PATHS, with wildcards such as method= filled in."""
    return PATHS[key].format(**wildcards) if wildcards else PATHS[key]


def per_method(name, **wildcards):
    """The path `name` for every configured motif method."""
    return [path(name, method=m, **wildcards) for m in METHODS]


def per_route(name, **wildcards):
    """The path `name` for every motif method and the attribution route when it runs."""
    return [path(name, method=m, **wildcards) for m in ROUTES]


def query_meme(method):
    """The MEME file that is matched and drawn: the trimmed one when meme.trim is on; for the
    attribution route its patterns' MEME file (trimmed by their contribution)."""
    if method == "modisco":
        return path("modisco_meme")
    return path("meme_trimmed" if config["meme"]["trim"] else "meme", method=method)


def meme_outputs():
    """write_meme's outputs (with the {method} wildcard): trimmed / reverse-complement files when
    configured."""
    out = {"meme": PATHS["meme"], "dead": PATHS["dead"]}
    if config["meme"]["trim"]:
        out["meme_trimmed"] = PATHS["meme_trimmed"]
    if config["meme"]["reverse_complement"]:
        out["meme_rc"] = PATHS["meme_rc"]
    return out


def predict_fasta():
    """Name -> FASTA for each file of evaluate.predict (name: file name without .fa/.fasta/.gz)."""
    names = {}
    for fa in config["evaluate"]["predict"]:
        name = re.sub(r"\.gz$", "", Path(fa).name).rsplit(".", 1)[0]
        if not re.fullmatch(r"[A-Za-z0-9._+-]+", name):
            raise WorkflowError(
                f"config: evaluate.predict: the file name {name!r} ({fa}) holds characters other "
                "than letters, digits and . _ + - (it names the output predict/<name>.tsv). "
                "Fix: rename or link the FASTA to a plain name."
            )
        if name in names:
            raise WorkflowError(
                f"config: evaluate.predict names two FASTA files called {name} "
                f"({names[name]}, {fa}). Fix: rename one of them."
            )
        names[name] = fa
    return names


def get_final_output():
    """What `snakemake` builds by default: every stage's end products, from the config."""
    out = [PATHS["config_checked"]]  # the config checks, no job's input (checks.smk)
    out += [path(split) for split in SPLITS]
    out += [path(name) for name in SOURCE.extra_outputs]
    if HAS_MODEL:
        out += [path(k) for k in ("model", "targets", "auc_table", "auc_figure")]
        out += [path("predict", name=n) for n in predict_fasta()]
    if TRAINED:
        out += [path(k) for k in ("history", "curves")]
    out += [path(k) for k in ("kernels", "base", "base_profile", "kernel_table")]
    for name in ("method_h5", "method_json", *meme_outputs()):
        out += per_method(name)
    out += [
        path(k)
        for k in (
            "jaspar_db",
            "jaspar_families",
            "matches",
            "best",
            "match_summary",
            "pvalues",
            "best_p",
        )
    ]
    out += [path("logos")]
    if MODISCO:
        out += [
            path(k)
            for k in (
                "attributions",
                "attribution_json",
                "modisco_h5",
                "modisco_meme",
                "modisco_json",
            )
        ]
    if FIDELITY:
        out += [path(k) for k in ("fidelity_table", "fidelity_json", "fidelity_figure")]
    out += influence_outputs()  # workflow/rules/influence.smk
    out += reproducibility_outputs()  # workflow/rules/replicates.smk
    out += filter_metrics_outputs()  # workflow/rules/filter_metrics.smk
    out += findings_outputs()  # workflow/rules/findings.smk
    if DANQ_FIGURES:
        out += [path(k) for k in ("danq_scatter", "danq_classes", "danq_json")]
        out += [path("danq_motifs")]
    if SIMULATED:
        out += [path(k) for k in ("planted_table", "planted_figure", "summary")]
    return out


# The k2p simulation (k2p_simulation.smk): the matrices of each chunk, chosen when a chunk job is
# planned (the package is imported then, once).
def k2p_chunk_ids(chunk):
    """The matrix ids of chunk number `chunk` (danqmotifs.papers.k2p.simulation.select)."""
    if not hasattr(k2p_chunk_ids, "chunks"):
        from danqmotifs.core.errors import InputError
        from danqmotifs.papers.k2p.simulation.select import (
            chunks as k2p_chunks,
            select_motifs as k2p_select,
        )
        from danqmotifs.papers.k2p.simulation.settings import Settings as K2PSettings

        c = K2P_CFG
        try:
            K2PSettings.from_config(c["sizes"], c["training"])
            ids = [
                m.id
                for m in k2p_select(
                    c["release"],
                    c["collection"],
                    c["tax_group"],
                    c["motif_ids"],
                    c["sample"],
                    config["seed"],
                    c["sizes"]["length"],
                )
            ]
        except InputError as exc:
            raise WorkflowError(str(exc))
        if _k2p_n:
            k2p_chunk_ids.chunks = k2p_chunks(ids, c["chunk_size"])
        else:  # every matrix of the set, in `chunks` near-equal consecutive parts
            n = K2P_N_CHUNKS
            k2p_chunk_ids.chunks = [
                ids[i * len(ids) // n : (i + 1) * len(ids) // n] for i in range(n)
            ]
        if len(k2p_chunk_ids.chunks) != K2P_N_CHUNKS or not all(k2p_chunk_ids.chunks):
            raise WorkflowError(
                f"config: figures.k2p_simulation: {len(ids)} matrices do not make "
                f"{K2P_N_CHUNKS} non-empty chunks. Fix: lower figures.k2p_simulation.chunks "
                f"to at most {len(ids)}."
            )
    return k2p_chunk_ids.chunks[chunk]


# One run at a time per results directory: Snakemake's own lock (.snakemake/locks) is checked and
# then written, so two runs started at the same instant can both pass it and then remove each
# other's outputs. The run's main process holds an exclusive flock on <results>/.run.lock from
# onstart (after Snakemake's checks, before any job; dry runs and remote jobs run no onstart)
# until it exits; a second run stops there with one line, before any job started.
_RUN_LOCK = []


def hold_results_lock():
    import fcntl

    lock = Path(RESULTS) / ".run.lock"
    try:
        Path(RESULTS).mkdir(parents=True, exist_ok=True)
        fh = open(lock, "a")
    except OSError as exc:
        config_error(
            f"{RESULTS}: cannot write to the results directory ({exc.strerror or exc}). Fix: "
            "choose a writable `results:` path with free space."
        )
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        config_error(
            f"{RESULTS}: another snakemake run is writing this results directory "
            f"(it holds {lock}). Fix: wait for it to finish, or give this run another "
            "`results:` directory."
        )
    _RUN_LOCK.append(fh)
