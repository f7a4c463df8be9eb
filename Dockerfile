# syntax=docker/dockerfile:1
# servekit as an image: built with the dev dependencies, run with the production
# ones only, as the unprivileged user `node`, under tini. Configure it with
# SERVEKIT_* variables (see README, Docker): the health check reads them too.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
# python3, make and a C compiler build servekit-spawn (packages/spawn), the CGI
# accelerator; node-gyp fetches the headers of the image's Node for it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/spawn ./packages/spawn
# No scripts: `prepare` would build before the sources are copied in.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY plugins ./plugins
COPY routes ./routes
COPY scripts ./scripts
# The accelerator's install script gives way quietly where it cannot build; here
# it must have built, and the require says so. It is a dev dependency, so the prune
# drops its link, and the runtime stage copies in what it needs to load.
RUN npm run build \
 && npm rebuild servekit-spawn --foreground-scripts \
 && node -e "require('servekit-spawn')" \
 && npm prune --omit=dev --no-audit --no-fund

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
COPY --from=build /app/packages/spawn/package.json /app/packages/spawn/index.js ./node_modules/servekit-spawn/
COPY --from=build /app/packages/spawn/build/Release/spawn.node ./node_modules/servekit-spawn/build/Release/
COPY cgi-bin ./cgi-bin
USER node
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "/app/dist/src/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/cli/servekit.js"]
