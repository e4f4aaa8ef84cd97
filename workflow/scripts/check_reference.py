"""Rule check_reference: a reference AUC table read and checked (layout, numbers, and the count
of the data's targets where it is known from the inputs) before any long job."""

import json

from danqmotifs.core.errors import atomic_output, run_guarded
from danqmotifs.core.logsetup import script_logging

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    from danqmotifs.formats.reference import check_reference
    from danqmotifs.sources.targets import expected_target_names

    names = expected_target_names(sm.params.source, dict(sm.params.block))
    info = check_reference(sm.input.reference, names)
    matched = (f"{info['n_matched']} of {info['n_targets']} targets matched by {info['matched_by']}"
               if "matched_by" in info else "target count checked once the data exist")
    print(f"{sm.input.reference}: {info['layout']} layout, {info['n_rows']} rows, columns "
          f"{', '.join(info['columns'])}; {info['n_missing_cells']} AUC cells not numbers; {matched}")
    with atomic_output(sm.output[0]) as tmp:
        with open(tmp, "w") as fh:
            json.dump(info, fh, indent=1, sort_keys=True)
            fh.write("\n")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
