# trdcore: two commands from a fresh clone.
#   make demo   set up .venv, install trdcore (+ plugins/*), run the main job
#   make test   set up .venv, run ruff, mypy --strict, pytest and the docs build
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PLUGINS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))
# Plugins whose tests drive real Node.js peers (validators, a FHIR server) carry a package.json
# and a committed package-lock.json; `npm ci` installs exactly what the lock file says.
NODE_PEERS := $(patsubst %/package.json,%/node_modules/.installed,$(wildcard plugins/*/package.json))

.PHONY: setup system-deps demo test lint typecheck content unit docs bench clean

setup: system-deps $(STAMP) $(NODE_PEERS)

# Debian packages the plugin tests use as real peers (Chromium, poppler, qpdf, Pango).
system-deps:
	@scripts/install-system-deps

$(STAMP): pyproject.toml $(wildcard plugins/*/pyproject.toml)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark,dask]' $(foreach p,$(PLUGINS),-e './$(p)[test]')
	@touch $(STAMP)

plugins/%/node_modules/.installed: plugins/%/package.json plugins/%/package-lock.json
	cd plugins/$* && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

demo: setup
	@echo "== Schemas this trdcore knows"
	$(BIN)/trdcore schemas
	@echo
	@echo "== Validating the example data"
	$(BIN)/trdcore validate examples/histories examples/catalog
	@echo
	@echo "== An invalid example, to show the error report (exit code 1 is expected here)"
	@$(BIN)/trdcore validate examples/invalid; test $$? -eq 1
	@echo
	@echo "== Plugins (built-in behaviour is written as plugins too)"
	$(BIN)/trdcore plugins
	@echo
	@echo "== Exporting the JSON Schemas for validators outside Python"
	$(BIN)/trdcore export schemas --out build/demo/schemas
	@echo
	@echo "== The built-in catalog: TRD definitions, and one explained"
	$(BIN)/trdcore definitions
	$(BIN)/trdcore definitions show canadian-consensus-2021
	@echo
	@echo "== Evaluating the example patients under every definition"
	$(BIN)/trdcore evaluate examples/histories/two-ssri-trials.json --all --as-of 2026-11-27
	$(BIN)/trdcore evaluate examples/histories/augmentation-and-ect.yaml --all --as-of 2026-11-27
	$(BIN)/trdcore evaluate examples/histories/batch.ndjson --all --as-of 2026-11-27
	@echo
	@echo "== The same batch as NDJSON summaries, one line per history (what large files get)"
	$(BIN)/trdcore evaluate examples/histories/batch.ndjson --all --as-of 2026-11-27 --format ndjson
	@echo
	@echo "== Content rules over the built-in patient and clinician text"
	$(BIN)/trdcore lint --as-of 2026-11-27 --quiet
	@echo
	@echo "== Publishing: FHIR R4, a Hugo site, WordPress, printable handouts (each lints first)"
	$(BIN)/trdcore export fhir --out build/demo/fhir --as-of 2026-11-27
	$(BIN)/trdcore export hugo --out build/demo/hugo --as-of 2026-11-27
	$(BIN)/trdcore export wordpress --out build/demo/wordpress --as-of 2026-11-27
	$(BIN)/trdcore export handout-pdf --out build/demo/handouts --as-of 2026-11-27
	@echo "Open build/demo/handouts/*.pdf, or build the site: cd build/demo/hugo && hugo"
	@echo
	@echo "== From an EHR: a FHIR R4 Bundle in, a treatment history and FHIR results out"
	$(BIN)/trdcore import fhir examples/fhir/two-ssri-trials.bundle.json --out build/demo/from-fhir.ndjson
	$(BIN)/trdcore evaluate build/demo/from-fhir.ndjson --definition different-classes --as-of 2026-11-27
	$(BIN)/trdcore fhir-evaluate examples/fhir/two-ssri-trials.bundle.json --as-of 2026-11-27 \
		--definition esketamine-trials --out build/demo/fhir-results.ndjson
	@echo
	@echo "== From a research database: an OMOP CDM (DuckDB) in, treatment histories out"
	$(BIN)/python scripts/build-omop-fixture build/demo/cdm.duckdb --persons 300
	$(BIN)/trdcore import omop build/demo/cdm.duckdb --out build/demo/from-omop.ndjson
	$(BIN)/trdcore evaluate build/demo/from-omop.ndjson --all --as-of 2026-11-27 --format ndjson \
		> build/demo/omop-results.ndjson
	@echo "wrote build/demo/omop-results.ndjson (one evaluation summary per person)"
	@echo
	@echo "== The same persons under OHDSI's phenotype 1009 beside a clinical definition"
	$(BIN)/trdcore evaluate build/demo/from-omop.ndjson --as-of 2026-11-27 \
		--definition ohdsi-phenotype-1009 --definition two-trials-gaynes-2020 --format ndjson \
		> build/demo/omop-1009.ndjson
	$(BIN)/python -c "import collections, json; \
		rows = [json.loads(line) for line in open('build/demo/omop-1009.ndjson')]; \
		print(collections.Counter(tuple(r['status'] for r in row['results']) for row in rows))"
	@echo "   (ohdsi-phenotype-1009, two-trials-gaynes-2020): persons; see docs/evaluation/ohdsi-1009.md"
	@echo
	@echo "== Claims-style: outcomes inferred from switches within 98 days (opt-in, labelled)"
	$(BIN)/trdcore evaluate build/demo/from-omop.ndjson --as-of 2026-11-27 --all --format ndjson \
		--infer-outcomes switch --switch-days 98 > build/demo/omop-inferred.ndjson
	@echo "wrote build/demo/omop-inferred.ndjson (each inferred failure listed in 'inferred')"

# Scripts without a .py suffix, which ruff and mypy only read when named.
SCRIPTS := scripts/build-clinical-drug-list scripts/build-code-list scripts/build-ohdsi-code-list \
	scripts/build-omop-fixture \
	scripts/generate-fhir-corpus

lint: setup
	$(BIN)/ruff check . $(SCRIPTS)
	$(BIN)/ruff format --check . $(SCRIPTS)
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy
	$(foreach s,$(SCRIPTS),$(BIN)/mypy --strict $(s) &&) true
	$(foreach p,$(PLUGINS),$(BIN)/mypy --strict $(p)/src &&) true

# TRDCORE_REQUIRE_PEERS=1: a plugin test whose real peer (Chromium, Node, poppler...) is missing
# fails instead of skipping, so `make test` and CI cannot pass without them.
unit: setup
	TRDCORE_REQUIRE_PEERS=1 $(BIN)/pytest tests $(wildcard plugins/*/tests)

docs: setup
	NO_MKDOCS_2_WARNING=1 TRDCORE_DOCS_REQUIRE_CLI=1 $(BIN)/mkdocs build --strict --quiet -d build/site

# The built-in content must pass its own content rules (freshness judged as of today).
content: setup
	$(BIN)/trdcore lint --quiet

test: lint typecheck content unit docs

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	cd benchmarks && ../$(BIN)/python bench_validate.py
	cd benchmarks && ../$(BIN)/python bench_startup.py
	cd benchmarks && ../$(BIN)/python bench_evaluate.py
	$(BIN)/python benchmarks/bench_lint.py
	$(BIN)/python benchmarks/bench_fhir.py
	$(BIN)/python benchmarks/bench_omop.py
	$(BIN)/python benchmarks/bench_cms.py
	$(BIN)/python benchmarks/bench_print.py
	$(BIN)/python benchmarks/bench_scale_out.py --rounds 2 --parquet

clean:
	rm -rf $(VENV) build dist site .pytest_cache .mypy_cache .ruff_cache .hypothesis
