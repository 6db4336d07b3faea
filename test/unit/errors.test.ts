import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asImportError, engineFailed, FileError, InfraError, isFinal } from '#core/contract/errors';
import { TextFileSink } from '#io/temp-file';
import { expectImportError } from '#test/expect-error';

describe('asImportError: only documented codes reach error_code', () => {
  it('keeps our own errors as they are', () => {
    const error = new FileError('EMPTY_FILE', 'empty');
    expect(asImportError(error)).toBe(error);
  });

  it('turns a worker out of memory into the final ENGINE_FAILED with a plain message', () => {
    const cause = Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), {
      code: 'ERR_WORKER_OUT_OF_MEMORY',
    });
    const error = expectImportError(asImportError(cause), 'ENGINE_FAILED', { message: 'ran out of memory' });
    expect(error.cause).toBe(cause);
    expect(error.message).not.toContain('ERR_WORKER');
  });

  it('turns a full disk into TEMP_STORAGE_FULL and anything else into INTERNAL_ERROR, both retried', () => {
    const full = asImportError(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    expectImportError(full, 'TEMP_STORAGE_FULL', { message: 'temporary disk filled up' });
    const other = asImportError(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expectImportError(other, 'INTERNAL_ERROR', { message: 'unexpected error' });
    expect(other).toBeInstanceOf(InfraError);
    expectImportError(asImportError('a string'), 'INTERNAL_ERROR');
  });

  it('makes a real ENOSPC from the rejected-rows sink TEMP_STORAGE_FULL', async () => {
    // /dev/full answers every write with ENOSPC, as a full /tmp would.
    const sink = new TextFileSink('uploads/x.csv.rejected.csv', '/dev/full');
    let caught: unknown;
    try {
      for (let i = 0; i < 64; i++) await sink.write('x'.repeat(64 * 1024));
      await sink.close();
    } catch (error) {
      caught = error;
    }
    expectImportError(caught, 'TEMP_STORAGE_FULL');
    await expect(sink.close()).rejects.toMatchObject({ code: 'TEMP_STORAGE_FULL' });
  });
});

describe('engineFailed: one ENGINE_FAILED, one wording', () => {
  it('is final, names what happened, and says the same thing wherever it is raised', () => {
    const a = engineFailed('the worker exited with code 1');
    const b = engineFailed('PostgreSQL could not read the rows it wrote, SQLSTATE 22P04', {
      detail: { sqlstate: '22P04' },
    });
    expect(isFinal(a)).toBe(true);
    expectImportError(a, 'ENGINE_FAILED', { message: ['the worker exited with code 1', 'nothing was imported'] });
    expectImportError(b, 'ENGINE_FAILED', { detail: { sqlstate: '22P04' } });
    const advice = (e: Error) => e.message.slice(e.message.indexOf(');'));
    expect(advice(a)).toBe(advice(b));
    expect(advice(asImportError(Object.assign(new Error('oom'), { code: 'ERR_WORKER_OUT_OF_MEMORY' })))).toBe(
      advice(a),
    );
  });

  it('is the only place in functions/ that builds an ENGINE_FAILED error', async () => {
    const builders: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.name.endsWith('.ts') && /new FileError\(\s*'ENGINE_FAILED'/.test(await readFile(path, 'utf8')))
          builders.push(path);
      }
    };
    await walk('functions');
    expect(builders).toEqual(['functions/core/contract/errors.ts']);
  });
});
