"""Files on disk, one owner each: every format is written and read by one module.

==========================  ==========================================  ======================================
file                        format                                      module (writer and reader)
==========================  ==========================================  ======================================
``data/{split}.h5``         sequences and labels of a data split        :mod:`danqmotifs.datafile`
``motifs/kernels.h5``       kernel tensors, biases, the sequence sample :mod:`danqmotifs.kernels`
``motifs/base.json``        the estimated base (ln b)                   :mod:`danqmotifs.formats.base_json`
``motifs/{method}.h5``      a motif method's PWM stack                  :mod:`danqmotifs.formats.method_file`
``eval/*auc*.tsv``, ...     small TSV tables, ``NA`` for undefined      :mod:`danqmotifs.formats.tsv`
                            numbers (AUCs: :mod:`danqmotifs.evaluate`)
``eval/influence*.tsv``     kernel influence per kernel and target      :mod:`danqmotifs.formats.influence_table`
reference AUC tables        DanQ's aucs.txt or a TSV of AUCs            :mod:`danqmotifs.reference`
FASTA (``.fa``, ``.fa.gz``) records read one at a time                  :mod:`danqmotifs.formats.fasta`
MEME motif files            motifs and their background                 :mod:`danqmotifs.meme`
model files                 ``.keras`` and DanQ's published weights     :mod:`danqmotifs.modelio`
==========================  ==========================================  ======================================
"""
