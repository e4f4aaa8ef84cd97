"""The data sources' parse-time facts are data (sources.json): one table read by the package and by
workflow/rules/common.smk alike, consistent with the config schema."""

from pathlib import Path

import yaml

from danqmotifs.sources import SOURCES
from danqmotifs.sources import registry

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
DATA = SCHEMA["properties"]["data"]["properties"]
GIB = 2**30


def test_the_table_names_every_source_of_the_schema_and_only_config_keys():
    specs = registry.load()
    assert list(specs) == DATA["source"]["enum"]
    for name, spec in specs.items():
        keys = set(DATA[name]["properties"])
        assert set(spec.required) <= keys and set(spec.input_keys) <= keys, name


def test_the_package_adds_only_the_converters():
    specs = registry.load()
    assert set(SOURCES) == set(specs)
    for name, src in SOURCES.items():
        assert isinstance(src, registry.SourceSpec) and callable(src.run)
        assert registry.SourceSpec(src.name, src.required, src.input_keys, src.extra_outputs, src.memory,
                                   src.runtime) == specs[name]


def test_memory_estimates_from_the_coefficients():
    """The DeepSEA estimate, 1000 + block_size x 20 kB + max(3000, 2 x the larger v5 file) MB, as the
    formula it replaced gave it; constant ones for the others."""
    s = registry.load()
    block = {"block_size": 10000}
    assert s["deepsea"].mem_mb(block, {}) == 4190                       # 1000 + 190.7 + 3000
    assert s["deepsea"].mem_mb(block, {"valid_mat": 5 * GIB}) == 11430  # 1000 + 190.7 + 10240
    assert s["deepsea"].mem_mb(block, {"test_mat": 10**6, "valid_mat": 2 * 10**9, "train_mat": 10 * GIB}) == 5005
    assert s["deepsea"].mem_mb({"block_size": 1}, {}) == 4000
    assert [s[n].mem_mb({}, {"x": GIB}) for n in ("simulate", "fasta", "bed", "peaks")] == [2000, 4000, 4000, 2000]
    assert [s[n].runtime for n in s] == [30, 240, 60, 60, 30]


def test_inputs_missing_and_extra_outputs():
    s = registry.load()
    assert s["peaks"].inputs({"peaks": ["a.fa", "b.bed"], "genome": ""}) == {"peaks_0": "a.fa", "peaks_1": "b.bed"}
    assert s["deepsea"].inputs({"train_mat": "t", "valid_mat": "v", "test_mat": "s", "target_names": ""}) == \
        {"train_mat": "t", "valid_mat": "v", "test_mat": "s"}
    assert s["bed"].missing({"bed": "x.bed", "genome": ""}) == [
        "config: data.bed.genome is empty, but data.source is 'bed'. "
        "Fix: set data.bed.genome to the genome FASTA the BED refers to."]
    assert s["simulate"].extra_outputs == {"truth": "truth.meme"} and s["simulate"].missing({}) == []


def test_registry_loads_by_path_without_the_package(tmp_path):
    """As common.smk loads it: by file path, standard library only (no danqmotifs import)."""
    import subprocess
    import sys

    code = ("import importlib.util, sys\n"
            f"spec = importlib.util.spec_from_file_location('r', {str(Path(registry.__file__))!r})\n"
            "m = importlib.util.module_from_spec(spec); sys.modules['r'] = m; spec.loader.exec_module(m)\n"
            "print(sorted(m.load())); assert not any(k.startswith('danqmotifs') for k in sys.modules)\n")
    r = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(sorted(SOURCES))
