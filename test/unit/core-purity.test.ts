import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Node built-ins core may use: pure helpers with no I/O, threads or process state. */
const PURE_BUILTINS = new Set(['node:buffer']);
const IMPORT =
  /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]/gm;

async function coreImports(): Promise<{ file: string; specifier: string }[]> {
  const dir = 'functions/core';
  const found: { file: string; specifier: string }[] = [];
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.ts')) continue;
    const text = await readFile(join(dir, name), 'utf8');
    for (const m of text.matchAll(IMPORT)) found.push({ file: name, specifier: (m[1] ?? m[2] ?? m[3])! });
  }
  return found;
}

describe('functions/core is pure', () => {
  it('imports only core modules, zod, libphonenumber, re2js and pure built-ins', async () => {
    const imports = await coreImports();
    expect(imports.length).toBeGreaterThan(20);
    const impure = imports.filter(({ specifier }) => {
      if (specifier.startsWith('./') || specifier.startsWith('#core/')) return false;
      if (specifier === 'zod' || specifier === 're2js' || specifier.startsWith('libphonenumber-js')) return false;
      return !PURE_BUILTINS.has(specifier);
    });
    expect(impure).toEqual([]);
  });

  it('names no Node built-in without the node: prefix, so the scan above cannot be sidestepped', async () => {
    const bare = (await coreImports()).filter(({ specifier }) =>
      /^(fs|path|url|module|worker_threads|child_process|net|http|https|os|stream)(\/|$)/.test(specifier),
    );
    expect(bare).toEqual([]);
  });
});

describe('functions/service holds no SQL', () => {
  it('sends no statement and imports pg for types only: transactions and SQLSTATEs live in io/', async () => {
    const dir = 'functions/service';
    const offences: string[] = [];
    for (const name of await readdir(dir)) {
      const text = await readFile(join(dir, name), 'utf8');
      if (/\.query\(|\bsavepoint\b|\b(?:begin|commit|rollback)'|\b57014\b|\b[0-9]{2}P[0-9]{2}\b/i.test(text))
        offences.push(`${name}: SQL`);
      if (/^import (?!type)[^;]*from 'pg'/m.test(text)) offences.push(`${name}: imports pg`);
    }
    expect(offences).toEqual([]);
  });
});
