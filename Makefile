# Two entry points for a fresh machine (Python 3.11 + pip): `make quickstart` and `make test`.
# Both create .venv and install what is missing; re-running skips finished steps.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# CPU torch first, so sentence-transformers does not pull a multi-GB CUDA build.
TORCH_SPEC ?= torch==2.13.0
# llama.cpp is compiled from source; portable CPU flags (a -march=native build crashed on some CPUs).
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
SEEDS ?= tests/fixtures/seeds/*.txt
OUT ?= out/quickstart
export LITELLM_LOCAL_MODEL_COST_MAP := True
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: quickstart test install bench clean help gate record-gate

help:
	@echo "make quickstart  set up; rewrite and score the five real seeds offline; run the quickstart experiment"
	@echo "make test        set up, then run the test suite (offline)"
	@echo "make bench       run the benchmarks"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q "$(TORCH_SPEC)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install -q -e ".[local,dev,train]"
	touch $@

install: $(VENV)/.installed

quickstart: install
	$(BIN)/redac rewrite $(SEEDS) --lm embedded --out $(OUT)
	@for f in $(OUT)/*.md; do n=$$(basename $$f .md); \
	  echo "== $$n"; $(BIN)/redac score $$f --source tests/fixtures/seeds/$$n.txt || exit $$?; done
	$(BIN)/redac optimize experiments/quickstart.yaml
	@echo "MLflow UI: $(BIN)/mlflow ui --backend-store-uri sqlite:///mlflow.db"

# The type check (mypy, config in pyproject.toml) and the gate run first so the test runner's summary is
# the last thing printed.
test: install
	$(BIN)/python -m mypy
	$(BIN)/redac gate $(GATE_CONFIG) --baseline $(GATE_BASELINE)
	$(BIN)/python -m pytest -q -n 2

GATE_CONFIG ?= experiments/ci-gate.yaml
GATE_BASELINE ?= evals/baselines/ci-gate.json
# Regression gate on recorded LM responses (seconds, offline): 0 pass, 1 regression, 2 config/input error.
gate: install
	$(BIN)/redac gate $(GATE_CONFIG) --baseline $(GATE_BASELINE)

# Re-record the gate's responses with the embedded LM and rewrite its baseline (minutes); needed after any
# change to what the program asks the LM (prompts, demos, program state, per-step max_tokens).
record-gate: install
	$(BIN)/redac gate $(GATE_CONFIG) --baseline $(GATE_BASELINE) --record-with embedded

bench: install
	$(BIN)/python benchmarks/bench_metrics.py
	$(BIN)/python benchmarks/bench_sources.py

clean:
	rm -rf $(VENV) out .redac .pytest_cache .mypy_cache
