# The config files themselves, before the schema: duplicate keys (YAML keeps the last one silently)
# are refused, and a schema error is shortened to the key, the problem and the fix.
# Standard library and yaml (which Snakemake ships) only: this runs at parse time.
import os
import re

import yaml
from snakemake.exceptions import WorkflowError


class _DuplicateKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a mapping with a key twice (naming both lines)."""


class _DuplicateKey(Exception):
    pass


def _no_duplicates(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise _DuplicateKey(
                f"{key_node.start_mark.name}: line {line}: the key {key!r} appears twice "
                f"(first on line {seen[key]}); YAML would keep only the last one. "
                "Fix: merge the two blocks into one."
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_DuplicateKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates
)


def check_config_files(paths):
    """Every config file given (the default config.yaml, --configfile ones) free of duplicate keys."""
    for p in paths:
        p = os.fspath(p)
        if not os.path.isfile(p):
            continue
        with open(p, encoding="utf-8") as fh:
            try:
                yaml.load(fh, Loader=_DuplicateKeyLoader)
            except yaml.YAMLError:
                pass  # Snakemake reports YAML syntax errors itself
            except _DuplicateKey as exc:
                raise WorkflowError(str(exc)) from None


def short_schema_error(text):
    """A Snakemake schema-validation message cut to the key, the problem and a fix."""
    problem = re.search(r"ValidationError: (.*)", text)
    where = re.search(r"On instance((?:\[[^\]]*\])*)", text)
    if not problem:
        return text
    keys = re.findall(r"\['([^']*)'\]", where.group(1)) if where else []
    key = ".".join(keys) or "the config"
    msg = problem.group(1).strip()
    fix = (
        "see workflow/schemas/config.schema.yaml for the allowed keys and values, and config.yaml "
        "(or config/own_fasta.yaml, own_bed.yaml, own_deepsea.yaml) for examples"
    )
    if "is not of type 'object'" in msg:
        fix = (
            f"{key} is a section of settings, not a value: indent its keys under it as "
            "config.yaml does (e.g. data: {source: fasta, fasta: {fasta: my.fa, labels: labels.tsv}}, "
            "as in config/own_fasta.yaml)"
        )
    elif re.match(r"'[-+]?\d+(\.\d*)?[eE][-+]?\d+' is not of type 'number'", msg):
        fix = (
            "YAML reads a number such as 1e-3 as text: write it with a dot and a signed "
            "exponent (1.0e-3) or as 0.001"
        )
    elif "Additional properties are not allowed" in msg:
        fix = "correct the spelling of the key (see config.yaml for the keys of this section)"
    return f"config {key}: {msg}. Fix: {fix}."


check_config_files(workflow.configfiles)
