/**
 * `node scripts/run-bundled.mjs <import|imports> [args...]`: what `npm run import` and `npm run imports`
 * run. The CLI is bundled once with esbuild into .local/cli/ (with the engine worker beside it, as in
 * Lambda) and rebuilt only when a source file, package.json or the lock file is newer than the bundle;
 * then the bundle runs in this process with plain node. tsx would cost about 1 s of start-up and
 * 5 CPU-seconds per million rows (it transforms the engine worker's sources too).
 * Plain JavaScript so node runs it without a loader.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, '.local', 'cli');
const CLIS = ['import', 'imports'];
/** What the bundles are built from; a change to any of these rebuilds them. */
const SOURCES = ['functions', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** Must match WORKER_BUNDLE_NAME in functions/runtime/engine-runner.ts (checked by test/unit/cli-bundle). */
export const WORKER_BUNDLE_NAME = 'lead-engine-worker.mjs';

/** Newest modification time under the sources (upload-page assets and the bundles' own dir aside). */
function newestSource(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'upload-page' || entry === 'node_modules') continue;
    newest = Math.max(newest, newestSource(join(path, entry)));
  }
  return newest;
}

export function bundlePath(name) {
  return join(OUT, `${name}.mjs`);
}

/** Builds every CLI bundle when one is missing or older than its sources; returns whether it built. */
export async function ensureBundles() {
  const built = CLIS.map((name) => bundlePath(name)).concat(join(OUT, WORKER_BUNDLE_NAME));
  const oldest = Math.min(...built.map((path) => (existsSync(path) ? statSync(path).mtimeMs : 0)));
  const newest = Math.max(...SOURCES.map((source) => newestSource(join(ROOT, source))));
  if (oldest > newest) return false;
  const { build } = await import('esbuild');
  await build({
    absWorkingDir: ROOT,
    entryPoints: {
      ...Object.fromEntries(CLIS.map((name) => [name, `scripts/${name}.ts`])),
      [WORKER_BUNDLE_NAME.replace(/\.mjs$/, '')]: 'functions/runtime/engine-worker.ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    // Loaded only with DB_SECRET_ARN (a dynamic import), from node_modules: 1 MB less to compile at every start.
    external: ['pg-native', '@aws-sdk/client-secrets-manager'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  return true;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [name, ...args] = process.argv.slice(2);
  if (!CLIS.includes(name)) {
    process.stderr.write(`usage: node scripts/run-bundled.mjs <${CLIS.join('|')}> [args...]\n`);
    process.exit(2);
  }
  await ensureBundles();
  // The bundle sees itself as the script node was started with (its own main-module check relies on it).
  process.argv = [process.argv[0], bundlePath(name), ...args];
  await import(pathToFileURL(bundlePath(name)).href);
}
