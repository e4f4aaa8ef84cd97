"""Rule check_config: every config check that needs the package (danqmotifs.run.workflow_checks),
before any other job; writes the resolved settings it checked (JSON) as the rule's stamp."""

import json

from danqmotifs.core.errors import atomic_output, run_guarded
from danqmotifs.core.logsetup import script_logging
from danqmotifs.run.workflow_checks import check_workflow

sm = snakemake  # noqa: F821  (injected by snakemake)


def main():
    p = sm.params
    names = check_workflow(p.config, p.workdir, set_threads=p.set_threads,
                           set_resources=p.set_resources, cores=p.cores)
    with atomic_output(sm.output[0]) as tmp:
        with open(tmp, "w") as fh:
            json.dump({"methods": names, "results": p.config["results"]}, fh, indent=1, sort_keys=True)
            fh.write("\n")
    print(f"config checked: methods {', '.join(names)}")


with script_logging(sm.log[0]):
    run_guarded(main, sm.output)
