# Switchboard server image (issue 12): live mode against the real services, many replicas on one PostgreSQL.
# Build: docker build -t switchboard .   Run: see compose.yaml and docs/admin-guide.md ("Running several processes").

# 1. Everything needed to build: the tab bundle, and the server transpiled file by file (tsconfig has
#    isolatedModules, so esbuild's per-file output is what tsc checks), so the image runs plain node, no tsx.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY . .
RUN npm run build:tab \
 && npx esbuild $(find bot shared emulators -name '*.ts') --outdir=dist --outbase=. \
      --platform=node --target=node20 --format=cjs --supported:dynamic-import=false --log-level=warning \
 && cp emulators/teams-host/host-page.js dist/emulators/teams-host/

# 2. Production dependencies only (better-sqlite3 compiles here, with the build tools of the full image).
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev

# 3. The runtime: slim, non-root, no compilers, no dev dependencies.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3978
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/tab/dist ./tab/dist
COPY package.json ./
# data/ only matters for the SQLite default (one process); replicas use STORE_URL=postgres://...
RUN mkdir -p data && chown node:node data
USER node
EXPOSE 3978
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/bot/main.js"]
