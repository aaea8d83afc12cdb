# doge-grid-bot: a small, non-root image that runs the compiled daemon.
#
#   docker build -t doge-grid-bot .
#   docker run -d --name doge-grid-bot --env-file .env -p 8080:8080 -v doge-grid-data:/data --stop-timeout 20 doge-grid-bot
#
# Railway builds this file through railway.json. State and CSV history live in
# /data (LOG_DIR): mount a volume there or every redeploy starts from scratch.

# ---- build: TypeScript → dist/ (dev dependencies only live here) -----------
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.dashboard.json ./
COPY src ./src
# `npm run build` compiles src/ to dist/src/ (tests and benchmarks are not copied, so not built)
# and bundles the dashboard script (tsconfig.dashboard.json) into dist/src/frontends/http/dashboard/.
RUN npm run build

# ---- runtime: Node + the compiled daemon, nothing else ---------------------
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    LOG_DIR=/data
WORKDIR /app
# package.json is needed at run time: its "type": "module" makes Node load dist/ as ES modules.
# The project has no runtime dependencies, so there is nothing to `npm ci --omit=dev`:
# the image carries no node_modules at all.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/dist/src ./dist/src
# The app files stay owned by root (read-only for the bot); only the state directory is writable.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
# The dashboard, the API and /health. PORT (set by Railway and similar hosts) wins over HEALTH_PORT; default 8080.
EXPOSE 8080
# No curl in slim images: Node itself asks /health (200 = healthy; 503 or no answer = unhealthy).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||process.env.HEALTH_PORT||8080)+'/health',{signal:AbortSignal.timeout(5000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
# Exec form: Node is PID 1 and receives SIGTERM/SIGINT itself. The bot installs
# handlers for both (stop the loop, cancel its own open orders, save, exit 0),
# so no shell and no init (tini / --init) is needed in between; the only child
# process, /suggest's backtest, is Node's own and Node reaps it (no zombies,
# and it ends when the bot does). Give the container
# about 20 s to stop (--stop-timeout 20; Railway: drainingSeconds in railway.json):
# cancelling can take up to 8 s, then queued Telegram messages are flushed.
CMD ["node", "dist/src/bot.js"]
