# PayrollX in a container. The builder compiles the Release binary from Debian 12 packages (the
# README's list, minus the test-only ones); the runtime image holds the binary and only the
# shared libraries it links, and runs it as an unprivileged user.
#
#   docker build -t payrollx .
#   docker run -p 8080:8080 -e PAYROLLX_DATABASE_URL=... -e PAYROLLX_MIGRATE_DATABASE_URL=... \
#     -e PAYROLLX_DB_RUNTIME_ROLE=payrollx_app -e PAYROLLX_JWT_SECRET=... payrollx
FROM debian:bookworm-slim AS builder
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
      libpq-dev libfmt-dev libsodium-dev prometheus-cpp-dev libcurl4-openssl-dev libcrypt-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPAYROLLX_TESTS=OFF \
 && cmake --build build -j"$(nproc)" --target payrollx \
 && strip build/payrollx

FROM debian:bookworm-slim
# curl is for the HEALTHCHECK only.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpq5 libsodium23 libfmt9 libboost-json1.81.0 libboost-url1.81.0 libcurl4 libcrypt1 \
      libprometheus-cpp-core1.0 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home --shell /usr/sbin/nologin payrollx
COPY --from=builder /src/build/payrollx /usr/local/bin/payrollx
COPY config/payrollx.example.json /etc/payrollx/payrollx.example.json
USER payrollx
ENV PAYROLLX_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["payrollx"]
CMD ["serve"]
