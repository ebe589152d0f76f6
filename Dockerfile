# syntax=docker/dockerfile:1
# Multi-stage build: compile TypeScript with dev dependencies, ship only production ones.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/package.json web/package-lock.json ./web/
RUN PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix web --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The web app imports the API's generated types; CI type-checks it (with its tests) and enforces the bundle
# budget, so the image only bundles it.
COPY packages/sdk/src/generated ./packages/sdk/src/generated
COPY web ./web
RUN npm run build:api && cd web && npx vite build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    STORAGE_LOCAL_ROOT=/data/storage \
    TUS_STAGING_DIR=/data/tus
# ffmpeg for previews and Blender for renders, each run in a bubblewrap sandbox that sees only its own job
# (workers refuse to start without one; docker-compose.yml says what the container needs for it): the same
# image runs the api and both workers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg blender bubblewrap tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The web app, served by the API at /app/ (dist/server.js looks for ../web/dist).
COPY --from=build /app/web/dist ./web/dist
# Migrations are plain CommonJS run by migrate-mongo: `node dist/migrate.js up` before starting a release.
COPY migrations ./migrations
# Everything the non-root user writes lives under /data (the app directory stays read-only to it).
RUN mkdir -p /data/storage /data/tus && chown -R node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "require('http').get('http://127.0.0.1:'+(process.env.PORT||3000)+'/health',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server.js"]
