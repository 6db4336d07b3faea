import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { engineFailed, FileError } from '#core/contract/errors';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, COPY_COLUMNS } from '#core/copy/copy-binary';
import type { CopyPart } from '#core/copy/copy-output';
import { isDataRefusal, isUnreadableCopy, type PgErrorFields } from './database-errors.ts';

const COPY_SQL = `COPY leads (${COPY_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`;
const SOURCE_ROW_FIELD = COPY_COLUMNS.indexOf('source_row');
/** Recent COPY rows kept to name the spreadsheet row of a refused one (the server lags the sender by little). */
const RECENT_BYTES = 16 * 1024 * 1024;
/**
 * Parts always kept after one that leaves the window, besides the window's bytes. A part is
 * released only then: the COPY stream and the socket hold at most their high-water marks (16 KiB
 * each) and the part in hand, so by the time 16 MiB and this many parts follow it, it is written.
 */
const KEPT_AFTER_RELEASE = 4;

/**
 * The one COPY routine. `await pipeline` so a failing source destroys the COPY stream, which sends
 * CopyFail and makes the server abort the statement; `rowCount` is the server's own count. A row
 * the server refuses (SQLSTATE class 22 or 23) is final: ROW_REFUSED_BY_DATABASE naming its row; one
 * it cannot read (isUnreadableCopy) is ENGINE_FAILED, final too.
 */
export async function copyLeads(
  client: pg.PoolClient,
  source: AsyncIterable<CopyPart>,
  signal?: AbortSignal,
): Promise<number> {
  const recent = new RecentLines();
  async function* bytes(): AsyncGenerator<Uint8Array> {
    yield COPY_BINARY_HEADER;
    for await (const part of source) {
      recent.add(part);
      yield part.bytes;
    }
    yield COPY_BINARY_TRAILER;
  }
  const stream = client.query(copyFrom(COPY_SQL));
  try {
    await pipeline(bytes(), stream, signal ? { signal } : {});
  } catch (error) {
    // Nothing is released on failure: the socket may still hold the bytes; they are collected instead.
    const e = error as PgErrorFields;
    if (isUnreadableCopy(e))
      // The rows the importer wrote, not the file's data: final, as every retry would write the same.
      throw engineFailed(`PostgreSQL could not read the rows it wrote, SQLSTATE ${e.code}`, {
        cause: error,
        detail: { sqlstate: e.code },
      });
    throw isDataRefusal(error) ? rowRefused(e, recent) : error;
  }
  recent.releaseAll();
  return stream.rowCount;
}

function rowRefused(e: PgErrorFields, recent: RecentLines): FileError {
  // pg reports the row in `where`, as a line even in binary: `COPY leads, line 3, column website_normalized`.
  const where = /line (\d+)(?:, column (\w+))?/.exec(e.where ?? '');
  const row = where ? recent.sourceRow(Number(where[1])) : undefined;
  const column = where?.[2];
  const at = row === undefined ? 'a row' : `row ${row}`;
  return new FileError(
    'ROW_REFUSED_BY_DATABASE',
    `PostgreSQL refused ${at}${column ? ` (column ${column})` : ''}: ${e.message}. Nothing was imported.`,
    { ...(row === undefined ? {} : { row }), ...(column ? { column } : {}), detail: { sqlstate: e.code } },
  );
}

/** The last few megabytes of COPY rows, by row number, to map a refused row to its source row. */
class RecentLines {
  #parts: { bytes: Uint8Array; firstLine: number; release: (() => void) | undefined }[] = [];
  #size = 0;
  #lines = 0;

  add(part: CopyPart): void {
    this.#parts.push({ bytes: part.bytes, firstLine: this.#lines + 1, release: part.release });
    this.#lines = part.linesSoFar;
    this.#size += part.bytes.length;
    while (this.#size - this.#parts[0]!.bytes.length >= RECENT_BYTES && this.#parts.length > KEPT_AFTER_RELEASE) {
      const old = this.#parts.shift()!;
      this.#size -= old.bytes.length;
      old.release?.();
    }
  }

  /** After the COPY stream has finished: every byte is written. */
  releaseAll(): void {
    for (const part of this.#parts) part.release?.();
    this.#parts = [];
  }

  sourceRow(line: number): number | undefined {
    const at = this.#parts.findLastIndex((c) => c.firstLine <= line);
    const part = this.#parts[at];
    if (!part) return undefined;
    const { buffer, byteOffset, byteLength } = part.bytes;
    const view = new DataView(buffer, byteOffset, byteLength);
    try {
      // Whole rows (a field count, then the fields) up to the refused one, then its fields up to source_row.
      let p = 0;
      for (let row = part.firstLine; row < line; row++) p = skipFields(view, p + 2, view.getInt16(p));
      p = skipFields(view, p + 2, SOURCE_ROW_FIELD);
      return view.getInt32(p) === 4 ? view.getInt32(p + 4) : undefined;
    } catch {
      return undefined; // a RangeError: the row is not in these bytes
    }
  }
}

/** Past `count` fields from `p`: each a 32-bit length (-1 for NULL) and that many bytes. */
function skipFields(view: DataView, p: number, count: number): number {
  for (let i = 0; i < count; i++) p += 4 + Math.max(view.getInt32(p), 0);
  return p;
}
