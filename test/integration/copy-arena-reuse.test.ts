import { createHash } from 'node:crypto';
import { to as copyTo } from 'pg-copy-streams';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LeadEngine } from '#core/engine/lead-engine';
import { parseImportOptions } from '#core/contract/options';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, COPY_COLUMNS } from '#core/copy/copy-binary';
import { decodeCopyRows } from '#test/copy-rows';
import { useImportHandler } from '#test/import-harness';
import { generateLeadCsv } from '../../scripts/lib/lead-generator.ts';

// Inline, as deployed at one vCPU: copy-leads releases each COPY part as it leaves its window of
// recent rows, and the engine writes its next rows into the arenas released.
const h = useImportHandler('arenas', { ENGINE_WORKER: 'off' });

/** The COPY rows the engine writes for `bytes` under `importId`, computed here, without S3 or PostgreSQL. */
function engineCopyRows(bytes: Buffer, importId: string): Buffer {
  const engine = new LeadEngine(importId, parseImportOptions({}), DEFAULT_LIMITS);
  const parts: Buffer[] = [];
  const take = (out: ReturnType<LeadEngine['write']>) => {
    for (const part of out.copy) parts.push(Buffer.from(part.bytes));
  };
  for (let at = 0; at < bytes.length; at += 65_536) take(engine.write(bytes.subarray(at, at + 65_536)));
  take(engine.end());
  return Buffer.concat(parts);
}

const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The import's stored rows as COPY BINARY (PostgreSQL's own rendering), in the order they were copied. */
async function storedCopyRows(importId: string): Promise<Buffer> {
  const client = await h.db.admin.connect();
  try {
    const sql = `COPY (SELECT ${COPY_COLUMNS.join(', ')} FROM leads WHERE import_id = '${importId}' ORDER BY id) TO STDOUT (FORMAT binary)`;
    const chunks: Buffer[] = [];
    for await (const chunk of client.query(copyTo(sql))) chunks.push(chunk as Buffer);
    const all = Buffer.concat(chunks);
    expect(all.subarray(0, COPY_BINARY_HEADER.length)).toEqual(Buffer.from(COPY_BINARY_HEADER));
    expect(all.subarray(-COPY_BINARY_TRAILER.length)).toEqual(Buffer.from(COPY_BINARY_TRAILER));
    return all.subarray(COPY_BINARY_HEADER.length, -COPY_BINARY_TRAILER.length);
  } finally {
    client.release();
  }
}

describe('COPY arenas written again while the import streams', () => {
  it('stores exactly the rows the engine wrote, through many reused arenas (50 MB of COPY rows)', async () => {
    // Arrange: about 200,000 leads, far more than the 16 MiB window, so most arenas are reused.
    const csv = Buffer.from([...generateLeadCsv({ rows: 200_000, invalidRate: 0.01, seed: 5 })].join(''), 'utf8');
    // Act
    const { result } = await h.importCsv(csv);
    // Assess: every stored row, in order and byte for byte, is the row the engine wrote for it.
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 198_000 });
    const expected = engineCopyRows(csv, result.import_id!);
    const stored = await storedCopyRows(result.import_id!);
    expect(stored.length).toBe(expected.length);
    if (digest(stored) !== digest(expected)) {
      const storedRows = decodeCopyRows(stored);
      const expectedRows = decodeCopyRows(expected);
      const at = storedRows.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(expectedRows[i]));
      expect(storedRows[at], `row ${at + 1}`).toEqual(expectedRows[at]);
    }
    expect(digest(stored)).toBe(digest(expected));
  });
});
