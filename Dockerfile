# The bot as a container: docker build -t eve-corp-bot . (or docker compose up, see compose.yaml).
# Not built by CI (its machines cannot pull images): a change here is checked by hand.

# --- build: every dependency, the Prisma client generated, src/ compiled to dist/ ---
FROM node:24-slim AS build
WORKDIR /app
# What `npm ci` needs, so the dependency layer is rebuilt only when these change:
# the project's postinstall runs `prisma generate` (scripts/prisma-generate.mjs), which
# reads prisma.config.ts and prisma/schema.prisma and writes src/db/generated/.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/prisma-generate.mjs ./scripts/
RUN npm ci
COPY . .
RUN npm run build

# --- runtime: production dependencies and the compiled bot, as the unprivileged user node ---
FROM node:24-slim
# MALLOC_ARENA_MAX=2: glibc keeps fewer malloc arenas for Node's threads, about 10 MB less
# resident memory for the bot (BENCHMARKS.md, "Where the memory goes").
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    DATA_DIR=/data \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the generated Prisma client is already compiled into dist/ (so the
# project's postinstall has nothing to do here), the bot migrates with Prisma's WebAssembly
# engine and queries through the pg adapter (no native engine for @prisma/engines to fetch),
# and tsx's esbuild is not used by the compiled bot.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
# Read at run time from the project directory: package.json (the version), the migrations and the schema.
COPY prisma ./prisma
COPY --from=build /app/dist ./dist
# The embedded database's files, when DATABASE_URL is not set.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
# Liveness (/healthz). Node's own fetch: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, not npm start: its prestart would look for the sources to rebuild dist/, and
# node as PID 1 gets SIGTERM directly (the bot shuts down cleanly on it). The same flags as
# package.json's "start" script (test/unit/packaging.test.ts checks they match).
CMD ["node", "--max-semi-space-size=2", "--optimize-for-size", "--expose-gc", "dist/src/main.js"]
