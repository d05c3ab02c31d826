# syntax=docker/dockerfile:1
# The `reward` service image: a Swift 6 builder that goes through the same make targets as CI
# (`make release`, `make encoder`), then a slim Debian bookworm runtime with only the shared
# libraries the binary needs, a non-root user, the demo heads and the checksummed text encoder.
#   docker build -t reward .
#   docker run --rm -p 8080:8080 -e DATABASE_URL=postgres://… -e REWARD_BOOTSTRAP_KEY_FILE=/run/secrets/key reward
# `make test` checks this file without a Docker engine (Tools/docker-check.sh): hadolint, every
# COPY source exists, every library `ldd` lists for the binary comes from a package installed below.

ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS builder
WORKDIR /src
# Build dependencies only (no PostgreSQL server): Tools/install-deps.sh with REWARD_DEPS=build,
# the same script `make release` runs.
COPY Tools/install-deps.sh Tools/
RUN REWARD_DEPS=build Tools/install-deps.sh && rm -rf /var/lib/apt/lists/*
# Package manifest first: dependency resolution is cached while only sources change.
COPY Package.swift ./
RUN swift package resolve
COPY . .
# The Swift runtime is linked statically (no toolchain-version coupling in the runtime image);
# the C libraries (OpenBLAS, nghttp2, OpenSSL, libpq) stay shared and come from Debian below.
# The encoder weights are fetched with pip and SHA-256 checked by Tools/fetch-encoder.sh.
RUN REWARD_DEPS=build make release encoder BUILD_FLAGS="--static-swift-stdlib --product reward" \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/reward" /staging/usr/local/bin/reward \
    && mkdir -p /staging/app/models \
    && cp -R .reward/models/all-MiniLM-L6-v2 /staging/app/models/ \
    && cp -R Deploy/heads /staging/app/heads

FROM ${RUNTIME_IMAGE} AS runtime
# Runtime libraries only (their own dependencies come along: libgfortran5, krb5, ldap, …): libcurl4
# for FoundationNetworking (the Argilla client), curl for HEALTHCHECK. Versions follow the bookworm
# point release (security updates).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libopenblas0-pthread libnghttp2-14 libssl3 libpq5 libjemalloc2 libcurl4 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin reward
COPY --from=builder /staging/usr/local/bin/reward /usr/local/bin/reward
COPY --from=builder --chown=root:root /staging/app /app
COPY --from=builder /usr/libexec/swift/linux/swift-backtrace-static /usr/libexec/swift/linux/swift-backtrace-static
WORKDIR /app
USER 10001:10001
# Defaults for the image; every REWARD_* setting can be overridden at `docker run -e` / ConfigMap.
ENV REWARD_HEADS=demo=/app/heads/demo,synthetic=/app/heads/synthetic \
    REWARD_DEFAULT_HEAD=demo \
    REWARD_ENCODER=/app/models/all-MiniLM-L6-v2 \
    REWARD_BLAS_THREADS=1 \
    OPENBLAS_NUM_THREADS=1 \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/libexec/swift/linux/swift-backtrace-static
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/healthz"]
# A container must reach its load balancer: bind all interfaces. The port is fixed to match
# EXPOSE and HEALTHCHECK; more flags may follow (`docker run IMAGE --log-level debug`).
ENTRYPOINT ["reward", "serve", "--host", "0.0.0.0", "--port", "8080"]
