# syntax=docker/dockerfile:1
# The API image (docker-compose.yml runs it as `api` and, with another command, as `migrate`).
# The TypeScript sources are compiled once, here (`npm run build`); the image runs plain node on
# dist/, as `npm start` does: no loader thread, no compiling at start.

# The base of every stage: Node.js 24, the LTS line CI runs the suite on (.ci/run). 22 is supported
# too (package.json "engines"): `docker build --build-arg NODE_IMAGE=node:22-bookworm-slim .`
ARG NODE_IMAGE=node:24-bookworm-slim

# Stage 1: every dependency (esbuild is a devDependency), to compile src/ to dist/.
# --ignore-scripts is safe: esbuild's binary comes as an optional dependency (@esbuild/linux-x64).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
RUN npm run build

# Stage 2: production dependencies only, from the lockfile.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Stage 3: the runtime. Only what the process reads: package.json (the version it reports), the
# compiled code, the migrations and the seed files. The files belong to root and are read-only for
# the `node` user the process runs as; /data (the embedded database, used only without
# DATABASE_URL) is the one place it writes.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY seeds ./seeds
COPY public ./public
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The heap limit and V8 flag are the ones `npm start` uses (docs/operations.md: memory). SIGTERM
# (docker stop) drains in-flight requests for up to 10 s, then exits 0.
CMD ["node", "--max-old-space-size=1024", "--no-allocation-site-pretenuring", "dist/server.js"]
