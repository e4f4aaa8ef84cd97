# Labels of the report's entries, computed when the report is made (standard library only).


def logo_labels(wildcards, input):
    """The report's logo table: per kernel, each method's best match (TF name, q-value), read from
    best_matches.tsv when the report is made (standard library only)."""
    import csv

    row = {"kernel": wildcards.kernel}
    with open(input.best, newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            if r["query"] == wildcards.kernel:
                row[f"{r['method']} best match"] = (
                    f"{r['target_name']} ({r['target_id']}), q={float(r['q_value']):.2g}"
                )
    for m in METHODS:
        row.setdefault(f"{m} best match", "-")
    return row
