"""Rule danq_figures: the DanQ paper's comparisons (per-target AUCs against a reference table,
means by target class beside the published ones, motifs matched to JASPAR)."""

import json
from pathlib import Path

from danqmotifs.core.errors import InputError, run_guarded
from danqmotifs.core.logsetup import script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.formats.reference import read_reference
    from danqmotifs.papers.danq import figures as dq
    from danqmotifs.papers.danq.plot import plot_auc_scatter

    targets, model = dq.read_model_aucs(sm.input.auc)
    ref = read_reference(sm.input.reference, targets)
    try:
        match_summary = json.loads(Path(sm.input.match_summary).read_text())
    except (OSError, ValueError) as exc:
        raise InputError(sm.input.match_summary, f"not a readable JSON file ({exc})",
                         "rerun the match_summary rule") from None
    classes = dq.class_means(model, ref)
    mc = sm.params.match
    database = f"JASPAR {mc['jaspar_release'].removeprefix('JASPAR')} {mc['collection']} {mc['tax_group'] or 'all taxa'}"
    published = None
    if "published_meme" in sm.input.keys():
        published = dq.published_meme_count(sm.input.published_meme, sm.input.db, mc, n_jobs=sm.threads)
    motifs = dq.motif_counts(match_summary, sm.input.match_summary, database, published)
    compared = dq.comparisons(model, ref)
    dq.write_rows(classes, sm.output.classes)
    dq.write_rows(motifs, sm.output.motifs)
    plot_auc_scatter(model, ref.auc, ref.columns, sm.output.scatter, ref.classes,
                     title=f"per-target AUCs, {sm.params.split} split: this model vs {Path(sm.input.reference).name}")
    dq.write_json({"reference": str(sm.input.reference), "reference_layout": ref.layout,
                   "matched_by": ref.matched_by, "n_matched": ref.n_matched,
                   "split": sm.params.split, "above_diagonal": compared, "class_means": classes,
                   "motifs": motifs}, sm.output.json)
    for c in compared:
        share = "NA" if c["share_above"] is None else f"{100 * c['share_above']:.1f}%"
        print(f"{c['metric']} vs {c['reference']}: this model above the diagonal for {share} of {c['n_targets']}")
    for m in motifs:
        print(f"{m['method']} ({m['source']}): {m['n_matched']} of {m['n_motifs']} matched at "
              f"E < {m['evalue_threshold']} ({m['distance']} distance) against {m['database']}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
