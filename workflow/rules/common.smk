import os
import re
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from danqmotifs import methods as motif_methods
from danqmotifs.config_checks import check_config
from danqmotifs.datafile import SPLITS
from danqmotifs.errors import InputError
from danqmotifs.sources import SOURCES, input_sizes

validate(config, schema="../schemas/config.schema.yaml")
# values the schema cannot judge (empty results path, a results directory shared by two working
# directories, JASPAR releases pyjaspar lacks): one clear message before any work
try:
    check_config(config, Path.cwd(), dry_run=workflow.dryrun)
except InputError as exc:
    raise WorkflowError(str(exc))

# The conda environments install this package from the workflow's own checkout (envs/*.yaml:
# "-e ${DANQMOTIFS_ROOT}"); set DANQMOTIFS_ROOT yourself to install it from elsewhere.
os.environ.setdefault("DANQMOTIFS_ROOT", str(Path(workflow.basedir).resolve()))

RESULTS = config["results"]
LOGS = f"{RESULTS}/logs"
BENCH = f"{RESULTS}/benchmarks"
SOURCE = SOURCES[config["data"]["source"]]
SIMULATED = SOURCE.name == "simulate"
try:
    METHODS = motif_methods.resolve(
        config["motifs"]["methods"], config["motifs"]["plugins"]
    )
except InputError as exc:
    raise WorkflowError(str(exc))
# Where the model comes from (model.source): trained here, imported from model.file (.keras or
# DanQ's published weights), or kernels alone in model.file (then only the motif stages run).
MODEL_SOURCE = config["model"]["source"]
TRAINED = MODEL_SOURCE == "train"
HAS_MODEL = MODEL_SOURCE != "kernels"
# The fidelity test needs a model and both the exact and the heuristic motifs (skipped otherwise).
FIDELITY = HAS_MODEL and {"exact", "heuristic"} <= set(METHODS)
DANQ_FIGURES = config["figures"]["danq"]["enabled"]

# Every output path of the workflow, by name; "{method}" stands for each motif method.
PATHS = {
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
DISTANCE = config["match"]["distance"]
DISTANCES = [DISTANCE] + (
    [d for d in ("pearson", "euclidean") if d != DISTANCE] if SIMULATED else []
)


def path(key, /, **wildcards):
    """An output path by its key in PATHS, with wildcards such as method= filled in."""
    return PATHS[key].format(**wildcards) if wildcards else PATHS[key]


def per_method(name, **wildcards):
    """The path `name` for every configured motif method."""
    return [path(name, method=m, **wildcards) for m in METHODS]


def query_meme(method):
    """The MEME file that is matched and drawn: the trimmed one when meme.trim is on."""
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
        if name in names:
            raise WorkflowError(
                f"config: evaluate.predict names two FASTA files called {name} "
                f"({names[name]}, {fa}). Fix: rename one of them."
            )
        names[name] = fa
    return names


def get_final_output():
    """What `snakemake` builds by default: every stage's end products, from the config."""
    out = [path(split) for split in SPLITS]
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
    if FIDELITY:
        out += [path(k) for k in ("fidelity_table", "fidelity_json", "fidelity_figure")]
    out += influence_outputs()  # workflow/rules/influence.smk
    out += reproducibility_outputs()  # workflow/rules/replicates.smk
    out += filter_metrics_outputs()  # workflow/rules/filter_metrics.smk
    if DANQ_FIGURES:
        out += [path(k) for k in ("danq_scatter", "danq_classes", "danq_json")]
        out += [path("danq_motifs")]
    if SIMULATED:
        out += [path(k) for k in ("planted_table", "planted_figure", "summary")]
    return out
