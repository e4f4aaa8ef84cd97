# danqmotifs: from the convolution kernels of a DanQ model to DNA sequence motifs.
#
#   data  ->  train (or import_model: model.source file)  ->  evaluate
#                    ->  dump_kernels -> scan -> estimate_base -> {method} motifs -> meme -> match -> report
#                    ->  attribution (ISM / gradient x input) -> modisco patterns -> match -> report
#                    ->  fidelity (model + exact and heuristic motifs); danq_figures (figures.danq)
#
# Configure with config.yaml (validated against workflow/schemas/config.schema.yaml).

from snakemake.utils import min_version

min_version("9.0")


include: "workflow/rules/config_top.smk"


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/config_files.smk"
include: "workflow/rules/common.smk"
include: "workflow/rules/checks.smk"
include: "workflow/rules/report_labels.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/reference.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/model_source.smk"
include: "workflow/rules/motifs.smk"
include: "workflow/rules/match.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/fidelity.smk"
include: "workflow/rules/trust_common.smk"
include: "workflow/rules/influence.smk"
include: "workflow/rules/attribution.smk"
include: "workflow/rules/replicates.smk"
include: "workflow/rules/filter_metrics.smk"
include: "workflow/rules/findings.smk"
include: "workflow/rules/danq_figures.smk"
include: "workflow/rules/k2p_simulation.smk"
include: "workflow/rules/variants.smk"


rule all:
    default_target: True
    input:
        get_final_output(),
        VARIANT_OUTPUTS,


onstart:
    hold_results_lock()


onsuccess:
    print_findings()
