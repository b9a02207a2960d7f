# Switchboard. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
export REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: help run test bench build services fmt vet clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## run the whole system with a demo bank and the Twilio simulator on http://localhost:8080
	@bash deploy/local/run.sh

test: services ## gofmt and go mod tidy checks, go vet and every test under -race, against real Postgres and Redis
	@bash deploy/local/chromium.sh
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod or go.sum is not tidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1; }
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

bench: services build ## run the benchmarks at full size (slow: builds a 1,000,000-customer bank)
	@bash deploy/bench/run.sh

build: ## build bin/switchboard and bin/switchboardctl
	$(GO) build -o bin/ ./cmd/switchboard ./cmd/switchboardctl

services: ## find or start PostgreSQL and Redis (installing them on a fresh Debian machine)
	@bash deploy/local/services.sh

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

vet: ## go vet
	$(GO) vet ./...

clean: ## remove build output
	rm -rf bin
