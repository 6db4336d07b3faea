import { describe, expect, it } from 'vitest';
import { CopyRowWriter } from '#core/copy/copy-binary';
import { CopyOutput } from '#core/copy/copy-output';
import type { CopyPart } from '#core/copy/copy-output';
import { copyLeads } from '#io/copy-leads';
import { expectImportError } from '#test/expect-error';
import { useFileImports } from '#test/import-harness';

const MiB = 1024 * 1024;
/** The window of recent rows copy-leads keeps (to name a refused row), and the chunks it keeps after one. */
const WINDOW = 16 * MiB;
const KEPT_AFTER = 4;

// A fresh database and the importer's pool (the files it offers are not used here).
const h = useFileImports('copy-release');

const NOTES = 'n'.repeat(200);
const ROW_OFFSET = 1000;
/** A lead of about 250 bytes; a bad one has a company name longer than its column (255). */
const values = (row: number, bad: boolean) => [
  bad ? 'x'.repeat(300) : `Company ${row}`,
  ...Array<null>(7).fill(null),
  NOTES,
  null,
  null,
  null,
];

interface Release {
  chunk: number;
  /** Bytes and chunks handed to copy-leads after this one when it was released. */
  bytesAfter: number;
  chunksAfter: number;
  /** Released after the last chunk was handed over (when the COPY had ended, or failed). */
  afterLast: boolean;
}

/**
 * About `total` bytes of COPY rows in chunks of 1,000 rows, each with a release that records what had
 * been handed over since; `bad` makes that row something the server refuses.
 */
function source(importId: string, total: number, bad?: number) {
  const releases: Release[] = [];
  const ends: number[] = [];
  let handed = 0;
  let last = false;
  const writer = new CopyRowWriter(importId);
  const out = new CopyOutput();
  async function* chunks(): AsyncGenerator<CopyPart> {
    let lines = 0;
    for (let k = 0; handed < total; k++) {
      // Source rows run 1,000 ahead of COPY's line numbers, so naming the line would be caught.
      for (let i = 0; i < 1000; i++) writer.write(out, values(++lines, lines === bad), lines + ROW_OFFSET);
      const part = out.take(lines)!;
      const bytes = Buffer.from(part.bytes);
      part.release();
      handed += bytes.length;
      ends.push(handed);
      yield {
        bytes,
        linesSoFar: lines,
        release: () =>
          releases.push({ chunk: k, bytesAfter: handed - ends[k]!, chunksAfter: ends.length - 1 - k, afterLast: last }),
      };
    }
    last = true;
  }
  return { chunks: chunks(), releases, handedChunks: () => ends.length };
}

async function copy(chunks: AsyncIterable<CopyPart>): Promise<number> {
  const client = await h.importer.connect();
  try {
    return await copyLeads(client, chunks);
  } finally {
    client.release();
  }
}

describe('copyLeads releases COPY chunks (so the engine may write over them)', () => {
  it('while streaming, only a chunk 16 MiB and 4 chunks behind; every chunk once, when the COPY has ended', async () => {
    // Arrange: about 40 MiB, 160 chunks.
    const importId = '00000000-0000-4000-8000-00000000c0c1';
    const { chunks, releases, handedChunks } = source(importId, 40 * MiB);
    // Act
    const copied = await copy(chunks);
    // Assess
    expect(copied).toBe(handedChunks() * 1000);
    const chunkNumbers = releases.map((r) => r.chunk).sort((a, b) => a - b);
    expect(chunkNumbers).toEqual([...Array(handedChunks()).keys()]);
    // Those released while the COPY still ran: far enough behind. The rest: once it had ended.
    const streaming = releases.filter((r) => !r.afterLast);
    expect(streaming.length).toBeGreaterThan(handedChunks() / 3);
    expect(releases.filter((r) => r.afterLast).length).toBeGreaterThanOrEqual(KEPT_AFTER);
    for (const r of streaming) {
      expect(r.bytesAfter, `chunk ${r.chunk}`).toBeGreaterThanOrEqual(WINDOW);
      expect(r.chunksAfter).toBeGreaterThanOrEqual(KEPT_AFTER);
    }
  });

  it('releases nothing more when PostgreSQL refuses a row, and names it: the socket may still hold the bytes', async () => {
    // Arrange: the refused row about 30 MiB in.
    const importId = '00000000-0000-4000-8000-00000000c0c2';
    const { chunks, releases, handedChunks } = source(importId, 40 * MiB, 120_000);
    // Act
    const error = await copy(chunks).catch((e: unknown) => e);
    // Assess: named by its row, found among the recent rows kept.
    expectImportError(error, 'ROW_REFUSED_BY_DATABASE', {
      row: 120_000 + ROW_OFFSET,
      column: 'company_name',
      detail: { sqlstate: '22001' },
    });
    // Chunks out of the window were released while it streamed; none of the rest after the failure.
    expect(releases.length).toBeGreaterThan(0);
    expect(releases.length).toBeLessThan(handedChunks());
    for (const r of releases) {
      expect(r.afterLast).toBe(false);
      expect(r.bytesAfter).toBeGreaterThanOrEqual(WINDOW);
    }
  });

  /** Where the source row's length field starts in the row `values(1, false)` writes. */
  const SOURCE_ROW_AT = 2 + 9 * 4 + 'Company 1'.length + NOTES.length + 4 + 16;
  it.each([
    [
      'says it has 13 fields (the table takes 14)',
      '22P04',
      (row: Buffer) => {
        row.writeInt16BE(13, 0);
        return row;
      },
    ],
    [
      'gives its source row 3 bytes (an int4 takes 4)',
      '08P01',
      (row: Buffer) => {
        row.writeInt32BE(3, SOURCE_ROW_AT);
        return row;
      },
    ],
    [
      'gives its source row 5 bytes',
      '22P03',
      (row: Buffer) => {
        row.writeInt32BE(5, SOURCE_ROW_AT);
        const end = SOURCE_ROW_AT + 4 + 4;
        return Buffer.concat([row.subarray(0, end), Buffer.of(0), row.subarray(end)]);
      },
    ],
  ] as const)('fails with ENGINE_FAILED, not as a refused row, when a row %s', async (_name, sqlstate, breakRow) => {
    // Arrange: a well-formed row, then a malformed one.
    const importId = '00000000-0000-4000-8000-00000000c0c3';
    const writer = new CopyRowWriter(importId);
    const out = new CopyOutput();
    writer.write(out, values(1, false), 2);
    const row = Buffer.from(out.take(1)!.bytes);
    const broken = breakRow(Buffer.from(row));
    async function* chunks(): AsyncGenerator<CopyPart> {
      yield { bytes: Buffer.concat([row, broken]), linesSoFar: 2 };
    }
    // Act
    const error = await copy(chunks()).catch((e: unknown) => e);
    // Assess
    expectImportError(error, 'ENGINE_FAILED', { detail: { sqlstate } });
    expect(await h.db.admin.query(`select 1 from leads where import_id = '${importId}'`)).toMatchObject({
      rowCount: 0,
    });
  });
});
