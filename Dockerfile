# syntax=docker/dockerfile:1
# NXG Connect API and worker image. Same image, two commands:
#   docker run ... nxg-connect                       # API (node dist/server.js)
#   docker run ... nxg-connect node dist/worker.js   # background jobs
# CI performs the same production install and starts the server from it (.ci/run), since no
# Docker engine runs there.

ARG NODE_VERSION=24

# --- build: full install, compile TypeScript -------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies only, non-root ----------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY drizzle ./drizzle
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "dist/healthcheck.js"]
CMD ["node", "--enable-source-maps", "dist/server.js"]
