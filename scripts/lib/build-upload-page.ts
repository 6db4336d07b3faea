/**
 * Builds the upload page with esbuild's API, in memory (write: false): the local stack serves the
 * files straight from memory, the CDK stack writes them to an asset directory at synth time.
 * Output: index.html, main.js (main.ts and the #core modules it uses, bundled), styles.css.
 * config.json (the API URL) is not part of the build: each host supplies its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions, type OutputFile, type Plugin } from 'esbuild';

export const PAGE_SOURCE_DIR = fileURLToPath(new URL('../../functions/upload-page/', import.meta.url));

export interface PageFile {
  /** Path relative to the site root, without a leading slash. */
  path: string;
  contentType: string;
  body: Uint8Array;
}

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
};

export const contentTypeOf = (path: string): string =>
  CONTENT_TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';

/** A value that survives JSON: the constant lists the page may take from a core module. */
const isPlainData = (value: unknown): boolean =>
  ['string', 'number', 'boolean'].includes(typeof value) ||
  (Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v)));

/**
 * #core/contract/options builds its zod schemas when loaded (about 450 KB of zod in the bundle, none of it
 * run by the page). The page only needs its constant lists (DELIMITERS for #core/parse/delimiter), so
 * the module is loaded here, at build time, and the page gets its plain-data exports as literals.
 * Using anything else from it in the page fails the build (no such export), never silently.
 */
const coreOptionsAsData: Plugin = {
  name: 'core-options-as-data',
  setup(b) {
    b.onLoad({ filter: /[\\/]functions[\\/]core[\\/]contract[\\/]options\.ts$/ }, async (args) => {
      const mod = (await import(pathToFileURL(args.path).href)) as Record<string, unknown>;
      const lines = Object.entries(mod)
        .filter(([, value]) => isPlainData(value))
        .map(([name, value]) => `export const ${name} = ${JSON.stringify(value)};`);
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

function options(): BuildOptions & { write: false } {
  return {
    entryPoints: { main: join(PAGE_SOURCE_DIR, 'main.ts'), styles: join(PAGE_SOURCE_DIR, 'styles.css') },
    bundle: true,
    write: false,
    outdir: '/page',
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [coreOptionsAsData],
  };
}

function toFiles(outputs: OutputFile[]): PageFile[] {
  const files: PageFile[] = outputs.map((out) => {
    const path = out.path.slice(out.path.lastIndexOf('/') + 1);
    return { path, contentType: contentTypeOf(path), body: out.contents };
  });
  files.unshift({
    path: 'index.html',
    contentType: contentTypeOf('index.html'),
    body: readFileSync(join(PAGE_SOURCE_DIR, 'index.html')),
  });
  return files;
}

/** The page's files, built in memory. */
/**
 * The page's Content-Security-Policy: its own scripts and styles only, and requests only to itself
 * and `connectSrc` (the API and S3 origins it uploads to and polls). Served by the CDK stack's
 * CloudFront distribution and by the local stack alike.
 */
export const uploadPageCsp = (connectSrc: string): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${connectSrc}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

export async function buildUploadPage(): Promise<PageFile[]> {
  return toFiles((await build(options())).outputFiles);
}

/** Writes built files under `dir` (created if missing). */
export function writePageFiles(dir: string, files: readonly PageFile[]): void {
  mkdirSync(dir, { recursive: true });
  for (const file of files) writeFileSync(join(dir, file.path), file.body);
}

const THIS_FILE = fileURLToPath(import.meta.url);

/**
 * Builds the page into `dir`, synchronously, for CDK (constructs are built synchronously and
 * esbuild plugins need the async API): this file run as a script in a child Node with tsx.
 */
export function writeUploadPageSync(dir: string): void {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const run = spawnSync(process.execPath, ['--import', tsx, THIS_FILE, dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (run.status !== 0)
    throw new Error(`building the upload page failed (exit ${run.status}): ${run.stderr || run.error?.message}`);
}

// `node --import tsx scripts/lib/build-upload-page.ts <dir>`: build into <dir>.
if (process.argv[1] === THIS_FILE) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: build.ts <output directory>\n');
    process.exit(2);
  }
  writePageFiles(dir, await buildUploadPage());
}
