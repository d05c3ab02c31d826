# The two commands: `make run` and `make test`. Both install what is missing first.
SWIFT      ?= swift
BUILD_FLAGS ?=
HOST       ?= 127.0.0.1
PORT       ?= 8080
FUZZ_SECONDS ?= 60

.PHONY: deps build release run test tsan fuzz bench clean encoder image-smoke demo-head synthetic-head synthetic-head-check eval-synthetic eval-ukp

deps:
	@Tools/install-deps.sh

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

release: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)

run: release encoder
	@echo "once it listens, try:"
	@echo "  curl -s http://$(HOST):$(PORT)/v1/score -H 'Content-Type: application/json' -d '{\"user\":\"alice\",\"items\":[{\"text\":\"I love helping people.\"},{\"text\":\"I enjoy arguing.\"}]}'"
	$$($(SWIFT) build -c release --show-bin-path)/reward serve --host $(HOST) --port $(PORT)

# Every test, against a throwaway PostgreSQL cluster that is removed afterwards (also on failure).
# Blocking test work (child processes, blocking sockets, seconds of CPU) runs off the cooperative
# pool (TestSupport's offPool), so the suite also passes on the default pool; tasks on dispatch's
# ordinary global queues, which add threads when some block, stay as a safety net for a test that
# blocks a pool thread by mistake (on a 2-core runner the pool has only 2 threads).
test: deps encoder
	@Tools/install-py.sh openapi_spec_validator=openapi-spec-validator h2=h2 schemathesis=schemathesis
	python3 -m openapi_spec_validator openapi.yaml
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	Tools/deploy-check.sh $$($(SWIFT) build --show-bin-path $(BUILD_FLAGS))/reward
	Tools/pg.sh with Tools/schemathesis.sh
	Tools/pg.sh with env SWIFT_DEBUG_CONCURRENCY_ENABLE_COOPERATIVE_QUEUES=false $(SWIFT) test --skip-build $(BUILD_FLAGS)

# Every test under ThreadSanitizer (debug build in its own folder, throwaway PostgreSQL). One test at a
# time: in parallel, TSan's instrumentation of the Swift runtime's metadata `once` serialises all threads
# and starves the HTTP/2 harness tests past their 30 s bounds. Shared state is locked with `Locked`
# (pthread), which TSan sees; `Synchronization.Mutex` would be reported as a race on every access.
tsan: deps encoder
	$(SWIFT) build --build-tests --sanitize=thread --build-path .build-tsan $(BUILD_FLAGS)
	Tools/pg.sh with env SWIFT_DEBUG_CONCURRENCY_ENABLE_COOPERATIVE_QUEUES=false \
	    $(SWIFT) test --skip-build --sanitize=thread --build-path .build-tsan --no-parallel $(BUILD_FLAGS)

# The text encoder's weights (all-MiniLM-L6-v2, SHA-256 checked); cached, no network once fetched.
encoder:
	@Tools/fetch-encoder.sh .reward/models >/dev/null

# Rebuilds the committed demo head (pal-b, K=16, on all-MiniLM-L6-v2 text features) from the
# semi-synthetic Persona dataset built out of ../shared/data/persona; says so and keeps the
# committed head when the data is absent.
PERSONA_DATA ?= ../shared/data/persona
demo-head: release encoder
	@if [ -f "$(PERSONA_DATA)/statements.tar.gz" ] || [ -d "$(PERSONA_DATA)/persona" ]; then \
	    bin=$$($(SWIFT) build -c release --show-bin-path) && \
	    $$bin/reward text-dataset persona --data "$(PERSONA_DATA)" --threads 1 --out .reward/datasets/persona.ndjson && \
	    $$bin/reward train --data .reward/datasets/persona.ndjson --kind pal-b --prototypes 16 \
	        --backbone all-MiniLM-L6-v2 --version demo-persona-1 --out Deploy/heads/demo && \
	    $$bin/reward eval --head Deploy/heads/demo --data .reward/datasets/persona.ndjson; \
	else \
	    echo "$(PERSONA_DATA) has no persona data: keeping the committed Deploy/heads/demo"; \
	fi

# UKPConvArg1 real-data evaluation: text → features, a head trained on the train split (other
# workers + each evaluated worker's training topics), personalised vs population on held-out topics.
# adapt's prior λ is chosen without the test pairs: a nested split holds out topics of the training
# split, a head trained on the rest picks λ by held-out log-loss (reward tune-prior), and the final
# head stores it as adapt_prior (the service's adapt uses it too). Specs: kind:K:training prior
# (the training prior was chosen on the nested split as well; BENCHMARKS.md has the runs).
UKP_DATA ?= ../shared/data/ukpconvarg1
UKP_HEADS ?= pal-b:8:300 micro:4:1
eval-ukp: release encoder
	@if [ -f "$(UKP_DATA)/judgments.csv.gz" ]; then \
	    bin=$$($(SWIFT) build -c release --show-bin-path) && export OPENBLAS_NUM_THREADS=1 && \
	    $$bin/reward text-dataset ukp --data "$(UKP_DATA)" --threads 1 --out .reward/datasets/ukp.ndjson && \
	    $$bin/reward nested-split --data .reward/datasets/ukp.ndjson --out .reward/datasets/ukp-nested.ndjson && \
	    for spec in $(UKP_HEADS); do \
	        kind=$${spec%%:*}; rest=$${spec#*:}; k=$${rest%%:*}; tp=$${rest##*:}; out=.reward/heads/ukp-$$kind-k$$k; \
	        for variant in nested:ukp-nested final:ukp; do \
	            suffix=$${variant%%:*}; [ $$suffix = final ] && dir=$$out || dir=$$out-$$suffix; \
	            $$bin/reward train --data .reward/datasets/$${variant##*:}.ndjson --kind $$kind --prototypes $$k --prior $$tp \
	                --backbone all-MiniLM-L6-v2 --out $$dir 2>/dev/null >/dev/null || exit 1; \
	        done; \
	        $$bin/reward tune-prior --head $$out-nested --data .reward/datasets/ukp-nested.ndjson --apply-to $$out && \
	        $$bin/reward eval-personal --head $$out --data .reward/datasets/ukp.ndjson || exit 1; \
	    done; \
	else \
	    echo "$(UKP_DATA) has no UKPConvArg1 data: skipping"; \
	fi

# The Docker image's contents run without an engine (static release build, runtime ENV and uid only).
image-smoke: deps
	Tools/image-smoke.sh

fuzz: deps
	Tools/fuzz.sh $(FUZZ_SECONDS)
	Tools/fuzz-safetensors.sh $(FUZZ_SECONDS)

bench: release
	Tools/bench.sh
	Tools/bench-api.sh
	$$($(SWIFT) build -c release --show-bin-path)/reward bench model

clean:
	rm -rf .build .reward

# The committed demo head Deploy/heads/synthetic (synth + train, one BLAS thread); -check retrains
# into a scratch directory and compares (weights within 1e-4, eval within 0.5 pp).
synthetic-head: release
	Tools/synthetic-head.sh

synthetic-head-check: release
	Tools/synthetic-head.sh --check

# The full-size training/evaluation runs recorded in BENCHMARKS.md (tables on stdout, plots in docs/plots).
eval-synthetic: release
	Tools/eval-synthetic.sh
