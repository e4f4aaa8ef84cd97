# Two commands on a fresh machine (Python 3.11+, make, bash):
#   make run    install into .venv and run the whole workflow on the embedded default (config.yaml)
#   make report CONFIG=config/real_ctcf.yaml  run any config (or the default without CONFIG) and
#               build its report, <its results>/report.html (first page: What the model learned)
#   make test   install into .venv and run the test suite (as root with apt-get it first installs
#               Debian's chromium and chromium-driver for the browser test, which skips without them)
#   make figures  install and run the k2p paper's simulation figure (config figures.k2p_simulation)
#   make config  write config.yaml, config/config.yaml, config/README.md's key table and the package's
#                 defaults from workflow/schemas/config.schema.yaml (the one definition; tests check it)
#   make test-slurm  the workflow on a one-node SLURM cluster it starts (root; installs slurm-wlm and
#                 munge with apt-get when missing; DANQMOTIFS_SKIP_SLURM=1 skips where it cannot)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
CORES  ?= all
CONFIG ?=
CFG     = $(if $(CONFIG),--configfile $(CONFIG))
STAMP   = $(VENV)/.installed

.PHONY: run test test-slurm install lint report bench figures config clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[cpu,jax,test,bench,slurm,attrib]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)
	$(BIN)/snakemake --report results/report.html

report: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) $(CFG)
	$(BIN)/snakemake $(CFG) --report "$$($(BIN)/python -m danqmotifs.report.findings results-dir $(CONFIG))/report.html"

figures: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) k2p_simulation

config: $(STAMP)
	$(BIN)/python tools/make_config.py

test: $(STAMP)
	@$(BIN)/python tests/helpers/chromium.py --install
	$(BIN)/python -m pytest -q

test-slurm: $(STAMP)
	$(BIN)/python tests/slurm/run_slurm_test.py

lint: $(STAMP)
	$(BIN)/snakemake --lint

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf results .snakemake
