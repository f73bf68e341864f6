// `npm start` runs this first: it compiles only when a source file, the TypeScript settings or
// the lockfile is newer than the last successful build, so a restart (or a configuration error)
// shows in seconds instead of after a full compile.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');

function newestChange(entry) {
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(
    stats.mtimeMs,
    ...readdirSync(entry).map((name) => newestChange(path.join(entry, name))),
  );
}

function lastBuild() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return 0;
  }
}

const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((name) =>
  path.join(root, name),
);
if (Math.max(...inputs.map(newestChange)) <= lastBuild()) {
  console.log('build is up to date (dist/)');
  process.exit(0);
}
console.log('sources changed since the last build: compiling (npm run build)');
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
writeFileSync(stamp, `${new Date().toISOString()}\n`);
