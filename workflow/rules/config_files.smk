# The config files themselves, before the schema: duplicate keys (YAML keeps the last one silently)
# are refused, a path marked FILL IN and left unchanged is named by its key, and a schema error is
# shortened to the file, the key, the problem and the fix (for a misspelt key, the nearest valid
# spelling). These are the user's mistakes, not the workflow's: config_error prints one line
# "error: ..." and exits, without Snakemake's "WorkflowError in file .../common.smk" location.
# Standard library and yaml (which Snakemake ships) only: this runs at parse time.
import difflib
import os
import re
import sys

import yaml


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
                config_error(str(exc))


def config_error(message):
    """Stop at parse time with one line ``error: <message>`` (status 1): a mistake in the user's
    config, reported without a traceback or a workflow file's location."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def _key_line(path, keys):
    """The line (1-based) of the nested key ``keys`` in the YAML file ``path``, or None."""
    try:
        with open(path, encoding="utf-8") as fh:
            node = yaml.compose(fh)
    except (OSError, yaml.YAMLError):
        return None
    line = None
    for k in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        hit = [(kn, vn) for kn, vn in node.value if kn.value == k]
        if not hit:
            return None
        line, node = hit[0][0].start_mark.line + 1, hit[0][1]
    return line


def _where(keys):
    """``<file>, line <n>: `` of the last config file that sets ``keys``, or ``config: ``."""
    for p in reversed([os.fspath(p) for p in workflow.configfiles]):
        line = _key_line(p, keys)
        if line is not None:
            return f"{p}, line {line}: "
    return "config: "


def _schema_keys(keys):
    """The keys the schema allows in the section ``keys`` (the top level for [])."""
    path = os.path.join(
        str(workflow.basedir), "workflow", "schemas", "config.schema.yaml"
    )
    try:
        with open(path, encoding="utf-8") as fh:
            node = yaml.safe_load(fh)
        for k in keys:
            node = node["properties"][k]
        return list(node.get("properties", {}))
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return []


def short_schema_error(text):
    """A Snakemake schema-validation message cut to the file, the key, the problem and a fix."""
    problem = re.search(r"ValidationError: (.*)", text)
    where = re.search(r"On instance((?:\[[^\]]*\])*)", text)
    if not problem:
        return text
    keys = re.findall(r"\['([^']*)'\]", where.group(1)) if where else []
    key = ".".join(keys)
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
        bad = re.findall(r"'([^']*)'", msg.split("(", 1)[-1])
        allowed = _schema_keys(keys)
        section = key or "the top level"
        lines = []
        for b in bad:
            near = difflib.get_close_matches(b, allowed, n=1, cutoff=0.6)
            full = ".".join(keys + [b])
            said = f"the key {full} is not a setting"
            if near:
                said += f" (did you mean {'.'.join(keys + [near[0]])}?)"
            lines.append(_where(keys + [b]) + said)
        fix = (
            f"rename it to {'.'.join(keys + [near[0]])}"
            if len(bad) == 1 and near
            else f"correct the spelling (the keys of {section}: {', '.join(allowed)})"
        )
        return "; ".join(lines) + f". Fix: {fix}."
    label = f"config {key}" if key else "config"
    return f"{_where(keys) if keys else ''}{label}: {msg}. Fix: {fix}."


_FILL_IN = re.compile(r"^(\s*)([A-Za-z_][\w-]*):\s*(\S[^#]*?)\s*#\s*FILL IN")
_KEY_LINE = re.compile(r"^(\s*)([A-Za-z_][\w-]*):")


def check_fill_in(paths, config):
    """A value marked ``# FILL IN`` in a config file (the shipped examples' placeholders), left
    unchanged and naming no existing file: stop, naming the file, the line and the config key
    (instead of Snakemake's MissingInputException, which names neither)."""
    for p in paths:
        p = os.fspath(p)
        try:
            with open(p, encoding="utf-8") as fh:
                text = fh.read().splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        stack = []
        for n, line in enumerate(text, 1):
            m = _KEY_LINE.match(line)
            if not m or line.lstrip().startswith("#"):
                continue
            indent = len(m.group(1))
            while stack and stack[-1][0] >= indent:
                stack.pop()
            stack.append((indent, m.group(2)))
            f = _FILL_IN.match(line)
            if not f:
                continue
            keys = [k for _, k in stack]
            value = config
            for k in keys:
                value = value.get(k) if isinstance(value, dict) else None
            placeholder = f.group(3).strip().strip("'\"")
            if value == placeholder and not os.path.exists(placeholder):
                config_error(
                    f"{p}, line {n}: {'.'.join(keys)} is still the example's {placeholder!r} "
                    f"(marked FILL IN), and no such file exists. Fix: set {'.'.join(keys)} to the path "
                    "of your file."
                )


check_config_files(workflow.configfiles)
check_fill_in(workflow.configfiles, config)
