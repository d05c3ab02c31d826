# The two commands: `make run` and `make test`. Both install what is missing first.
SWIFT      ?= swift
BUILD_FLAGS ?=
HOST       ?= 127.0.0.1
PORT       ?= 8080
FUZZ_SECONDS ?= 60

.PHONY: deps build release run test fuzz bench clean encoder

deps:
	@Tools/install-deps.sh

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

release: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)

run: release encoder
	@echo "try: curl -s http://$(HOST):$(PORT)/healthz"
	$$($(SWIFT) build -c release --show-bin-path)/reward serve --host $(HOST) --port $(PORT)

# Every test, against a throwaway PostgreSQL cluster that is removed afterwards (also on failure).
test: deps encoder
	@Tools/install-py.sh openapi_spec_validator=openapi-spec-validator
	python3 -m openapi_spec_validator openapi.yaml
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	Tools/pg.sh with $(SWIFT) test --skip-build $(BUILD_FLAGS)

# The text encoder's weights (all-MiniLM-L6-v2, SHA-256 checked); cached, no network once fetched.
encoder:
	@Tools/fetch-encoder.sh .reward/models >/dev/null

fuzz: deps
	Tools/fuzz.sh $(FUZZ_SECONDS)
	Tools/fuzz-safetensors.sh $(FUZZ_SECONDS)

bench: release
	Tools/bench.sh
	$$($(SWIFT) build -c release --show-bin-path)/reward bench model

clean:
	rm -rf .build .reward
