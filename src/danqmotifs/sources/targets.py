"""The target names a data source will produce, known from its inputs in seconds (without running
the data stage), so that tables keyed by target (reference AUCs) are checked before any long job."""

from __future__ import annotations


def expected_target_names(source: str, block: dict) -> list[str] | None:
    """The target names the data stage will produce, where they can be known in seconds from the
    inputs (deepsea: the test .mat's shape and the names file; simulate: the configured motifs;
    fasta: the labels' header); None otherwise (then the count is checked when the data exist)."""
    if source == "deepsea" and block.get("test_mat"):
        from .deepsea import MatSplit, read_target_names

        with MatSplit(block["test_mat"], "test") as mat:
            n = mat.n_targets
        return read_target_names(block.get("target_names") or None, n)
    if source == "simulate":
        from .jaspar import fetch_motifs
        from .simulate import SimSpec, resolve_pairs

        motifs = fetch_motifs(block["motif_ids"], block["jaspar_release"], where="data.simulate.motif_ids")
        spec = SimSpec(motifs, block["length"], block["gc"], block["motif_density"], block["label_noise"],
                       resolve_pairs(block["pairs"], motifs))
        return spec.target_names()
    if source == "fasta" and block.get("labels"):
        with open(block["labels"], "rb") as fh:
            header = fh.readline().decode("utf-8", "replace").rstrip("\r\n").lstrip("#").split("\t")
        return [h.strip() for h in header[1:]] or None
    return None
