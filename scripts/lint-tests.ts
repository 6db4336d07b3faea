/**
 * Fails on skipped, focused or todo tests anywhere under test/ (vitest's allowOnly only covers
 * `.only`). Run by `npm test` before the suite.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const FORBIDDEN = /\b(?:it|test|describe|suite)\s*\.\s*(?:skip|only|todo|skipIf|runIf)\b|\bx(?:it|describe)\s*\(/;

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

const problems: string[] = [];
for await (const file of files('test')) {
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    if (FORBIDDEN.test(line)) problems.push(`${file}:${i + 1}: ${line.trim()}`);
  });
}
if (problems.length > 0) {
  process.stderr.write(`Skipped or focused tests are not allowed:\n${problems.join('\n')}\n`);
  process.exit(1);
}
process.stderr.write('lint-tests: no skipped or focused tests\n');
