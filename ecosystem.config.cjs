// PM2 process file. CommonJS on purpose: package.json says "type": "module", so PM2 can only
// `require` this file because of its .cjs extension.
//
//   npm run build && pm2 start ecosystem.config.cjs --env production
//
// Two apps: the API (`dist/server.js`) and the background-job worker (`dist/worker.js`).
// Cluster mode runs one API process per CPU. Processes share nothing in memory, so it needs the
// production mode: DATABASE_URL (PostgreSQL), REDIS_URL and a configured JWT key pair
// (JWT_PRIVATE_KEY[_FILE] / JWT_PUBLIC_KEY[_FILE]). The embedded default (PGlite in DATA_DIR,
// in-memory cache, keys generated into DATA_DIR) is single-process only: never cluster it.
// Socket.IO's HTTP long-polling needs sticky sessions, which PM2's round-robin does not give:
// clients behind cluster mode should connect with `transports: ['websocket']`.
// Settings come from the environment PM2 is started with, or from .env in `cwd`.
module.exports = {
  apps: [
    {
      name: 'nxg-connect-api',
      script: 'dist/server.js',
      cwd: __dirname,
      node_args: ['--enable-source-maps'],
      exec_mode: 'cluster',
      instances: 'max',
      // The server drains for SHUTDOWN_TIMEOUT_MS (default 10 s) after SIGINT/SIGTERM; PM2's
      // SIGKILL must come later than that. Raise both together.
      kill_timeout: 12_000,
      // Startup opens connections and applies migrations before listening.
      listen_timeout: 15_000,
      // Exit code 78 (EX_CONFIG) means invalid configuration: restarting cannot fix it.
      stop_exit_codes: [78],
      merge_logs: true,
      env: {
        NODE_ENV: 'development',
      },
      env_production: {
        NODE_ENV: 'production',
        // nxg-connect-worker below runs the background jobs, so the API instances do not.
        RUN_JOBS: 'false',
      },
    },
    {
      // Background jobs (pg-boss) without the HTTP API, restarted and scaled apart from it. The
      // API apps then set RUN_JOBS=false (see env_production above). It needs DATABASE_URL: on
      // PGlite it exits with 78 and the API runs the jobs itself. It reads the same settings as
      // the API (JWT keys included, as configuration is validated in full; REDIS_URL so the AI
      // services' quota counters are shared) and applies pending migrations at startup.
      name: 'nxg-connect-worker',
      script: 'dist/worker.js',
      cwd: __dirname,
      node_args: ['--enable-source-maps'],
      exec_mode: 'fork',
      instances: 1,
      // Running jobs get up to SHUTDOWN_TIMEOUT_MS to finish after SIGINT/SIGTERM, as above.
      kill_timeout: 12_000,
      stop_exit_codes: [78],
      env: {
        NODE_ENV: 'development',
      },
      env_production: {
        NODE_ENV: 'production',
      },
    },
  ],
};
