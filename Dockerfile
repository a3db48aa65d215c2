# Keyward's container image. Two stages: `build` lays out the bundled server, the console and
# exactly the npm packages the bundle loads (deploy/stage-runtime.mjs, from the built workspace
# in the build context, no registry needed); the final stage is the base image plus that tree.
#
#   npm run build
#   podman build --build-arg BASE=<a Debian bookworm image with node 20 at /usr/bin/node> -t keyward .
#
# BASE must match the glibc the workspace's native modules (better-sqlite3, argon2) were built
# against: node:20-bookworm-slim where a registry is reachable, or the local image that
# deploy/base-image.sh builds with mmdebstrap and this machine's node.
ARG BASE=docker.io/library/node:20-bookworm-slim

FROM ${BASE} AS build
# Lets a test remove its own build-stage images (podman image prune --filter label=…).
LABEL org.keyward.stage=build
WORKDIR /src
COPY . .
RUN node deploy/stage-runtime.mjs /src /opt/keyward \
 && node_modules/esbuild/bin/esbuild examples/gateway-api/echo-api.ts --bundle --platform=node \
      --format=esm --target=node20 --log-level=warning --outfile=/opt/gateway-api/echo-api.mjs

# compose.yaml's example API behind nginx (`--target gateway-api`): it echoes the identity
# headers the gateway adds. Not Keyward; the default target below is.
FROM ${BASE} AS gateway-api
COPY --from=build /opt/gateway-api /opt/gateway-api
USER 65534:65534
EXPOSE 3000
CMD ["node", "/opt/gateway-api/echo-api.mjs", "3000", "0.0.0.0"]

FROM ${BASE}
# A fixed, unprivileged id, so a bind-mounted data directory or secret can be chowned to it.
RUN groupadd --system --gid 10001 keyward \
 && useradd --system --uid 10001 --gid keyward --home-dir /var/lib/keyward --no-create-home \
      --shell /usr/sbin/nologin keyward \
 && mkdir -p /var/lib/keyward \
 && chown keyward:keyward /var/lib/keyward \
 && chmod 0700 /var/lib/keyward
COPY --from=build /opt/keyward /opt/keyward
RUN ln -s /opt/keyward/bin/keyward.js /usr/local/bin/keyward && chmod 0755 /opt/keyward/bin/keyward.js

# Listens on every interface (a container's loopback is its own). SQLite and, without
# KEYWARD_PEPPER / KEYWARD_PEPPER_FILE, the generated pepper live in the data volume.
# Pepper: KEYWARD_PEPPER=<hex or base64, >= 32 bytes>, or KEYWARD_PEPPER_FILE=/run/secrets/…
# (a file readable by uid 10001 only: mode 0400 or 0600, as a secret mount gives with mode=0400).
ENV NODE_ENV=production \
    KEYWARD_HOST=0.0.0.0 \
    KEYWARD_PORT=8080 \
    KEYWARD_DATA_DIR=/var/lib/keyward
VOLUME ["/var/lib/keyward"]
USER keyward
WORKDIR /var/lib/keyward
EXPOSE 8080
# Liveness only (/healthz); /readyz also waits for the database, for a load balancer's check.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.KEYWARD_PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["keyward"]
CMD ["serve"]
