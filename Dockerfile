# syntax=docker/dockerfile:1
# servekit as an image: built with the dev dependencies, run with the production
# ones only, as the unprivileged user `node`, under tini. Configure it with
# SERVEKIT_* variables (see README, Docker): the health check reads them too.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts: `prepare` would build before the sources are copied in.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY plugins ./plugins
COPY routes ./routes
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
# tini as PID 1 hands SIGTERM to Node and reaps orphaned CGI processes; python3
# and the image's /bin/sh run the example CGI scripts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini python3 \
 && rm -rf /var/lib/apt/lists/*
# An empty named volume takes the owner of the folder it covers, so the TLS
# cache must exist, owned by node, for the certificate to be written and kept.
RUN mkdir -p /srv /home/node/.config/servekit \
 && chown -R node:node /home/node/.config
ENV NODE_ENV=production \
    XDG_CONFIG_HOME=/home/node/.config \
    SERVEKIT_DIRECTORY=/srv
WORKDIR /app
# Owned by root: the server cannot change its own code.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/cli ./dist/cli
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/plugins ./dist/plugins
COPY --from=build /app/dist/routes ./dist/routes
COPY cgi-bin ./cgi-bin
USER node
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "/app/dist/src/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/cli/servekit.js"]
