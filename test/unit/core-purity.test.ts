import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_ROOMS, coreImportOffences, type CoreImport } from '#test/core-rooms';

const CORE = 'functions/core';
const IMPORT =
  /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]/gm;

/** Every .ts file under core, however deep, with what it imports. */
async function coreImports(dir = CORE): Promise<CoreImport[]> {
  const found: CoreImport[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await coreImports(path)));
    else if (entry.name.endsWith('.ts')) {
      const text = await readFile(path, 'utf8');
      for (const m of text.matchAll(IMPORT))
        found.push({ file: relative(CORE, path), specifier: (m[1] ?? m[2] ?? m[3])! });
    }
  }
  return found;
}

describe('functions/core is pure and in rooms', () => {
  it('holds its files in the rooms, one level deep, and nothing loose', async () => {
    const entries = await readdir(CORE, { withFileTypes: true });
    expect(entries.filter((e) => !e.isDirectory()).map((e) => e.name)).toEqual([]);
    expect(entries.map((e) => e.name).sort()).toEqual(Object.keys(CORE_ROOMS).sort());
    for (const room of entries) {
      const inside = await readdir(join(CORE, room.name), { withFileTypes: true });
      expect(inside.filter((e) => e.isDirectory()).map((e) => `${room.name}/${e.name}`)).toEqual([]);
    }
  });

  it('imports only core modules its room may use, zod, libphonenumber, re2js and pure built-ins', async () => {
    const imports = await coreImports();
    expect(imports.length).toBeGreaterThan(60);
    expect(coreImportOffences(imports)).toEqual([]);
  });

  it('names no Node built-in without the node: prefix, so the scan above cannot be sidestepped', async () => {
    const bare = (await coreImports()).filter(({ specifier }) =>
      /^(fs|path|url|module|worker_threads|child_process|net|http|https|os|stream)(\/|$)/.test(specifier),
    );
    expect(bare).toEqual([]);
  });
});

describe('the room rules catch what they must', () => {
  it('refuses a room importing one it may not, by relative path and by alias', () => {
    expect(
      coreImportOffences([
        { file: 'contract/result.ts', specifier: '../engine/lead-engine.ts' },
        { file: 'rows/row-processor.ts', specifier: '#core/rules/rule-checker' },
        { file: 'parse/decode.ts', specifier: '../copy/copy-output.ts' },
      ]),
    ).toEqual([
      'contract/result.ts imports ../engine/lead-engine.ts: contract may use contract, text',
      'rows/row-processor.ts imports #core/rules/rule-checker: rows may use rows, parse, copy, contract, text',
      'parse/decode.ts imports ../copy/copy-output.ts: parse may use parse, contract, text',
    ]);
  });

  it('refuses I/O, io/, service/ and paths that climb out of core', () => {
    expect(
      coreImportOffences([
        { file: 'engine/lead-engine.ts', specifier: 'pg' },
        { file: 'engine/lead-engine.ts', specifier: '@aws-sdk/client-s3' },
        { file: 'parse/decode.ts', specifier: 'node:fs' },
        { file: 'rows/fast-row.ts', specifier: '#io/copy-leads' },
        { file: 'rows/fast-row.ts', specifier: '../../io/copy-leads.ts' },
      ]),
    ).toHaveLength(5);
  });

  it('allows a room its own files and the rooms below it', () => {
    expect(
      coreImportOffences([
        { file: 'engine/lead-engine.ts', specifier: '../rules/rule-checker.ts' },
        { file: 'rules/rule-checker.ts', specifier: '../rows/row-check.ts' },
        { file: 'text/ascii-cells.ts', specifier: './special-characters.ts' },
        { file: 'contract/options.ts', specifier: 'zod' },
        { file: 'parse/decode.ts', specifier: 'node:buffer' },
      ]),
    ).toEqual([]);
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
