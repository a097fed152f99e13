# The two README commands: `make demo` (set up + run the main job) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SUITE  ?= datasets/strings/demo.jsonl

.PHONY: demo test test-slow test-fuzz setup bench-sygus bench-bustle bench-spreadsheet bench-regex bench-rasp bench-rasp-synthesis bench-nap clean

$(BIN)/nesy: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first, so pip does not pull a multi-GB CUDA build for the range below.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,nap,ray]'
	touch $(BIN)/nesy

setup: $(BIN)/nesy

demo: setup
	$(BIN)/nesy bench strings --suite $(SUITE) --timeout 10 --jobs 2

test: setup
	$(BIN)/python -m pytest -q

test-slow: setup
	$(BIN)/python -m pytest -q -m slow

# The fuzz tests of every parser and reader, with many more inputs than the default run.
test-fuzz: setup
	NESY_FUZZ_EXAMPLES=3000 $(BIN)/python -m pytest -q tests/fuzz

bench-sygus: setup
	$(BIN)/nesy bench strings --suite ../shared/benchmarks/sygus-pbe-slia-2019 --timeout 10 --jobs 2 --json out/sygus.json

bench-bustle: setup
	$(BIN)/nesy bench strings --suite ../shared/benchmarks/bustle --timeout 30 --jobs 2 --json out/bustle.json

bench-spreadsheet: setup
	$(BIN)/nesy bench strings --suite datasets/strings/spreadsheet.jsonl --timeout 30 --jobs 2 --guide both --json out/spreadsheet.json

bench-regex: setup
	$(BIN)/nesy bench regex --suite ../shared/benchmarks/alpharegex --timeout 60 --jobs 1 --json out/alpharegex.json

bench-rasp: setup
	$(BIN)/nesy rasp bench --json out/rasp.json

# RASP programs synthesized from I/O, compiled and proven; then the library distilled back from its weights.
bench-rasp-synthesis: setup
	$(BIN)/nesy bench rasp --suite datasets/rasp/synthesis.jsonl --timeout 60 --jobs 2 --json out/rasp-synthesis.json
	$(BIN)/python scripts/rasp_distill_library.py --timeout 30

bench-nap: setup
	$(BIN)/nesy nap bench --json out/nap.json

clean:
	rm -rf $(VENV) build *.egg-info

# 2D CSG, search only: the first 300 CAD validation shapes and the synthetic test set, 1 CPU second
# per shape on 2 workers (BENCHMARKS.md "2D CSG"; the CAD shapes are read where they lie, never copied).
.PHONY: bench-csg
bench-csg: setup
	$(BIN)/nesy bench csg --suite ../shared/benchmarks/csg2d-cad/cad_val.npz --limit 300 --timeout 1 --jobs 2 --guide none --json out/csg-cad300.json
	$(BIN)/nesy bench csg --suite datasets/csg/synthetic_test.txt --timeout 1 --jobs 2 --guide none --json out/csg-synthetic.json

# VNN-COMP 2021 mnist_fc at the instances' own timeouts (BENCHMARKS.md "VNN-COMP"; hours on 2 cores)
.PHONY: bench-vnncomp bench-induction bench-nl-regex bench-nl-regex-structured
bench-vnncomp: setup
	$(BIN)/nesy nap vnncomp ../shared/benchmarks/vnncomp2021-mnistfc/mnistfc_instances.csv --jobs 2 --json out/vnncomp.json --results-dir out/vnncomp

# NTM and Pointer Networks from the shipped weights (docs/induction.md)
bench-induction: setup
	$(BIN)/nesy induce bench --json out/induction.json --png out/induction

# English -> regex on the NL-RX / KB13 test splits (docs/nl-regex.md)
# Full test splits at one thread: NL-RX-Turk 2,500 + NL-RX-Synth 2,500 + KB13 206 pairs, 0.56-0.64 s a pair on
# the shared 2-core machine under load (about 55 min in all; 2026-12-03); --jobs 2 about halves it.
bench-nl-regex: setup
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/nesy bench nl-regex --suite ../shared/benchmarks/nl-regex --split test --jobs 1 --json out/nlregex/test.json

# StructuredRegex test-E, 367 rows: text only / examples only / both (5 s of example search a row; 37 min measured)
bench-nl-regex-structured: setup
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/nesy bench nl-regex --suite ../shared/benchmarks/regex/structuredregex/teste.tsv --timeout 5 --json out/nlregex/teste.json
