# syntax=docker/dockerfile:1
# Usher: one image for every role (edge, api, worker) and the migration Job.
# Node 20 on Debian bookworm-slim: the uWebSockets.js native binary needs glibc (no Alpine/musl).
# Pinned to an exact Node release; pin the digest too in CI (`FROM node:…@sha256:…`) for byte-for-byte rebuilds.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# --- build: all dependencies, TypeScript → dist/ (plus Lua, SQL and static assets) ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci`: exactly the lockfile, and a lock out of step with package.json stops the build.
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN npm run build

# --- prod-deps: production dependencies only, resolved from the lockfile ---
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force

# --- runtime: no compiler, no dev packages, no source; files owned by root and read-only to the app ---
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# package.json carries "type": "module", which Node needs to load dist/ as ESM.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The image's `node` user; numeric so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# public: edge (WebSocket + waiting room), api; internal: edge and api metrics, worker probes/metrics
EXPOSE 9001 8080 9101 9103 9102
# Exec form: node is PID 1 and receives SIGTERM itself (the drain in common/shutdown.ts); no shell.
ENTRYPOINT ["node", "dist/scripts/start.js"]
CMD ["all"]
