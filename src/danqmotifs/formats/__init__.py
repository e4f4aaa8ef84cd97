"""Files on disk and their owners: every format is written and read by one module.

The modules of this sub-package own the formats shared by several stages; a format only one stage
writes and reads keeps its owner beside that stage (named below). MEME files are
:mod:`danqmotifs.formats.meme`'s. Code that needs a file goes through its owner, never its own
parser. Paths are under ``results/``.

=============================================  ==============================================  ==============================================
file                                           format                                          owner (writer and reader)
=============================================  ==============================================  ==============================================
**data**
``data/{split}.h5``                            sequences and labels of a data split            :mod:`danqmotifs.sources.datafile`
FASTA inputs (``.fa``, ``.fa.gz``)             records read one at a time                      :mod:`danqmotifs.formats.fasta`
``data.fasta.labels``                          TSV of 0/1 labels by record id                  :mod:`danqmotifs.sources.fasta`
BED regions, genome FASTA (``data.bed``)       regions with label columns; pyfaidx genome      :mod:`danqmotifs.sources.bed`
peak files (``data.peaks``)                    FASTA or BED of peaks, one file per target      :mod:`danqmotifs.sources.peaks`
DeepSEA ``.mat``, ``target_names``             MATLAB v7.3/v5 one-hot and labels; name list    :mod:`danqmotifs.sources.deepsea`
``motifs.sample_file``                         unlabelled one-hot in DeepSEA's layout          :mod:`danqmotifs.sources.onehot`
**model**
``model/best.keras``                           Keras 3 model                                   :mod:`danqmotifs.model.training.export` (writes),
                                                                                               :mod:`danqmotifs.model.modelio` (reads)
DanQ's ``DanQ_bestmodel.hdf5``                 the published weights                           :mod:`danqmotifs.model.published`
``model/targets.txt``                          one target name per line                        :mod:`danqmotifs.model.training.export` (writes),
                                                                                               :mod:`danqmotifs.model.predict` (reads)
``model/history.tsv``                          per-epoch losses and AUCs                       :mod:`danqmotifs.model.training.export`
``model/checkpoint/``                          last epoch's model and state (JSON)             :mod:`danqmotifs.model.training.checkpoint`
``eval/{split}_auc.tsv``                       per-target ROC/PR AUC (small TSV, ``NA``)       :mod:`danqmotifs.model.evaluate` through
                                                                                               :mod:`danqmotifs.formats.tsv`
reference AUC tables                           DanQ's aucs.txt or a TSV of AUCs                :mod:`danqmotifs.formats.reference`
``predict/<name>.tsv`` (``.h5``)               per-record probabilities                        :mod:`danqmotifs.model.predict`
``variants/effects.{tsv,h5}``, ``skipped.tsv`` per-variant, per-target effects; VCF input      :mod:`danqmotifs.model.variants`
**kernels to motifs**
``motifs/kernels.h5``                          kernel tensors, biases, the sequence sample     :mod:`danqmotifs.model.kernels`
``motifs/scores.h5``                           each kernel's best window per sequence          :mod:`danqmotifs.motifs.scoring`
``motifs/base.json``                           the estimated base (ln b)                       :mod:`danqmotifs.formats.base_json`
``motifs/{method}.h5``, kernel2pwm-mle output  a PWM stack (``PWM_tensor``, ``nsites``, ...)   :mod:`danqmotifs.formats.method_file`
``motifs/{method}.meme`` and every MEME file   MEME version 4 (also the k2p toolbox's dialect) :mod:`danqmotifs.formats.meme`
text kernel and PWM matrices                   L rows of 4 numbers (the k2p commands)          :mod:`danqmotifs.formats.kernel_text`
``motifs/kernel_table.tsv``                    one row per kernel                              :mod:`danqmotifs.motifs.kernel_table`
small TSV tables                               ``NA`` for undefined numbers                    :mod:`danqmotifs.formats.tsv`
**matching**
``match/{method}.{distance}.h5``,              every query/target p-value, offset, overlap     :mod:`danqmotifs.match.store`
``match/pvalues.h5``
``match/matches.tsv``, ``best_matches.tsv``    match tables                                    :mod:`danqmotifs.match.tables`
``match/jaspar_families.tsv``                  JASPAR families and classes                     :mod:`danqmotifs.sources.jaspar`
``attribution/attributions.h5``                per-target one-hot and hypothetical scores      :mod:`danqmotifs.attribution.attribute` (writes),
                                                                                               :mod:`danqmotifs.formats.attributions` (reads)
``attribution/modisco.h5``                     TF-MoDISco's patterns (PFM, CWM, seqlets)       :mod:`danqmotifs.attribution.modisco`
**trust**
``eval/influence*.tsv``, faithfulness table    kernel influence / faithfulness per kernel      :mod:`danqmotifs.formats.influence_table`
``match/filter_metrics.tsv``                   per-filter metrics                              :mod:`danqmotifs.trust.filter_metrics`
motif table (``.tsv``, ``.html``)              one row per motif                               :mod:`danqmotifs.report.motif_table`
reproducibility tables                         replicate clusters and members                  :mod:`danqmotifs.trust.replicates`
**papers**
``eval/fidelity.{tsv,json}``                   the k2p fidelity test                           :mod:`danqmotifs.papers.k2p.fidelity`
``danq/*.{tsv,json}``                          the DanQ paper's comparisons                    :mod:`danqmotifs.papers.danq.figures`
``figures/k2p_simulation/*.{tsv,json}``        the k2p simulation's rows and tests             :mod:`danqmotifs.papers.k2p.simulation.run`
**any stage**
``*.png``                                      figures (fixed metadata: same bytes)            :func:`danqmotifs.report.plot.save_png`
summary JSONs (``checks/config.json``,         indented JSON written by the rule's script      ``json`` (no schema of their own; read by
``{method}.json``, ``influence.json``,                                                         the report and the tests)
``match_summary.json``, ``summary.json``, ...)
``match/planted.tsv``                          the planted-motif benchmark (pandas TSV)        ``workflow/scripts/planted_benchmark.py``
=============================================  ==============================================  ==============================================
"""
