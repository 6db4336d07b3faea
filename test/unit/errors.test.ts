import { describe, expect, it } from 'vitest';
import { FileError, InfraError, asImportError } from '#core/contract/errors';
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
