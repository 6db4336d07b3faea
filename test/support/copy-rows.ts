import { COPY_COLUMNS, CopyRowWriter, type CopyValues } from '#core/copy/copy-binary';
import { CopyOutput } from '#core/copy/copy-output';

export type CopyRow = Record<(typeof COPY_COLUMNS)[number], string | null>;

const IMPORT_ID = COPY_COLUMNS.indexOf('import_id');
const SOURCE_ROW = COPY_COLUMNS.indexOf('source_row');

/**
 * COPY BINARY rows (without the stream's header) read back field by field, independently of the
 * writers: text as UTF-8, the import id as a UUID, the source row as a decimal, NULL as null. Throws
 * when a row does not have every column, a length is negative but -1, the import id is not 16 bytes
 * or the source row not 4, or the bytes end inside a row.
 */
export function decodeCopyRows(bytes: Uint8Array): CopyRow[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows: CopyRow[] = [];
  let p = 0;
  while (p < bytes.length) {
    const count = view.getInt16(p);
    p += 2;
    if (count !== COPY_COLUMNS.length) throw new Error(`row ${rows.length + 1} has ${count} fields`);
    const values: (string | null)[] = [];
    for (let i = 0; i < count; i++) {
      const length = view.getInt32(p);
      p += 4;
      if (length === -1) {
        values.push(null);
        continue;
      }
      if (length < 0) throw new Error(`row ${rows.length + 1}: field ${COPY_COLUMNS[i]} has length ${length}`);
      const expected = i === SOURCE_ROW ? 4 : i === IMPORT_ID ? 16 : length;
      if (length !== expected) throw new Error(`row ${rows.length + 1}: ${COPY_COLUMNS[i]} is ${length} bytes`);
      if (p + length > bytes.length) throw new Error(`row ${rows.length + 1} ends inside field ${COPY_COLUMNS[i]}`);
      const field = bytes.subarray(p, p + length);
      p += length;
      if (i === SOURCE_ROW) values.push(String(view.getInt32(p - 4)));
      else if (i === IMPORT_ID) values.push(uuidText(field));
      else values.push(Buffer.from(field).toString('utf8'));
    }
    rows.push(Object.fromEntries(COPY_COLUMNS.map((column, i) => [column, values[i]!])) as CopyRow);
  }
  return rows;
}

/** The rows of several output parts, in order. */
export const copyRowsOf = (parts: readonly { bytes: Uint8Array }[]): CopyRow[] =>
  decodeCopyRows(Buffer.concat(parts.map((part) => part.bytes)));

/** One lead as COPY BINARY, by the engine's own writer: `values` as CopyValues (lead columns, then normalized). */
export function copyRowBytes(importId: string, row: number, values: CopyValues): Buffer {
  const out = new CopyOutput();
  new CopyRowWriter(importId).write(out, values, row);
  return Buffer.from(out.take(0)!.bytes);
}

function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
