# syntax=docker/dockerfile:1
# Team Manager for Slack: the built app (dist/), run as the unprivileged `node` user.
# One image for every Procfile process: web (the default command), worker, release:
#   docker run … team-manager                            # web: HTTP on $PORT, /readyz for health
#   docker run … team-manager node dist/src/worker.js    # a separate worker (set RUN_WORKER=false on web)
#   docker run … team-manager node dist/src/cli.js migrate
# See docs/operations.md; compose.yaml runs it with PostgreSQL and Mailpit.

# --- build: dev dependencies, TypeScript → dist/, then production dependencies only ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- run: node_modules, dist/ and nothing else of the source tree ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data \
    RUN_MIGRATIONS=false
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json Procfile ./
# The only writable place: DATA_DIR (the mail spool when SMTP_URL is unset; the embedded
# PostgreSQL is for laptops — in a container, set DATABASE_URL).
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# /readyz: 200 when the database answers, 503 otherwise (node's fetch: no curl in the image).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
