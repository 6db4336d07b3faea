import { createHash } from 'node:crypto';
import { to as copyTo } from 'pg-copy-streams';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LeadEngine } from '#core/lead-engine';
import { parseImportOptions } from '#core/options';
import { COPY_COLUMNS } from '#core/row-processor';
import { useImportHandler } from '#test/import-harness';
import { generateLeadCsv } from '../../scripts/lib/lead-generator.ts';

// Inline, as deployed at one vCPU: copy-leads releases each COPY part as it leaves its window of
// recent lines, and the engine writes its next lines into the arenas released.
const h = useImportHandler('arenas', { ENGINE_WORKER: 'off' });

/** The COPY text the engine writes for `bytes` under `importId`, computed here, without S3 or PostgreSQL. */
function engineCopyText(bytes: Buffer, importId: string): string {
  const engine = new LeadEngine(importId, parseImportOptions({}), DEFAULT_LIMITS);
  const parts: Buffer[] = [];
  const take = (out: ReturnType<LeadEngine['write']>) => {
    for (const part of out.copy) parts.push(Buffer.from(part.bytes));
  };
  for (let at = 0; at < bytes.length; at += 65_536) take(engine.write(bytes.subarray(at, at + 65_536)));
  take(engine.end());
  return Buffer.concat(parts).toString('utf8');
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/** The import's stored rows as COPY text (PostgreSQL's own rendering), in the order they were copied. */
async function storedCopyText(importId: string): Promise<string> {
  const client = await h.db.admin.connect();
  try {
    const sql = `COPY (SELECT ${COPY_COLUMNS.join(', ')} FROM leads WHERE import_id = '${importId}' ORDER BY id) TO STDOUT`;
    const chunks: Buffer[] = [];
    for await (const chunk of client.query(copyTo(sql))) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    client.release();
  }
}

describe('COPY arenas written again while the import streams', () => {
  it('stores exactly the lines the engine wrote, through many reused arenas (50 MB of COPY text)', async () => {
    // Arrange: about 200,000 leads, far more than the 16 MiB window, so most arenas are reused.
    const csv = Buffer.from([...generateLeadCsv({ rows: 200_000, invalidRate: 0.01, seed: 5 })].join(''), 'utf8');
    // Act
    const { result } = await h.importCsv(csv);
    // Assess: every stored line, in order, is the line the engine wrote for its row.
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 198_000 });
    const expected = engineCopyText(csv, result.import_id!);
    const stored = await storedCopyText(result.import_id!);
    expect(stored.length).toBe(expected.length);
    if (digest(stored) !== digest(expected)) {
      const storedLines = stored.split('\n');
      const expectedLines = expected.split('\n');
      const at = storedLines.findIndex((line, i) => line !== expectedLines[i]);
      expect(storedLines[at], `line ${at + 1}`).toBe(expectedLines[at]);
    }
  });
});
