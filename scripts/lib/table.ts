/** Plain-text output for people: aligned tables and key/value blocks. Pure, no I/O. */
import { escapeControls } from './terminal-text.ts';

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Numbers read better right-aligned. */
  align?: 'left' | 'right';
  /** Longer cells are cut with an ellipsis. */
  maxWidth?: number;
}

const cut = (text: string, max: number | undefined): string =>
  max !== undefined && [...text].length > max ? [...text].slice(0, Math.max(1, max - 1)).join('') + '…' : text;
const width = (text: string): number => [...text].length;
const pad = (text: string, to: number, align: 'left' | 'right'): string => {
  const fill = ' '.repeat(Math.max(0, to - width(text)));
  return align === 'right' ? fill + text : text + fill;
};
/** Line breaks and tabs (a newline in a file name) would break the grid; other controls are escaped. */
const oneLine = (text: string): string => escapeControls(text.replace(/[\r\n\t]+/g, ' '));

/** Columns separated by two spaces, a header line, no trailing spaces. */
export function renderTable<T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((c) => cut(oneLine(c.value(row)), c.maxWidth)));
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i]!))));
  const line = (values: string[]) =>
    values
      .map((v, i) => pad(v, widths[i]!, columns[i]!.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/** `label: value` lines with the values aligned; multi-line values are indented under their label. */
export function renderFields(fields: ReadonlyArray<readonly [string, string]>): string {
  const labelWidth = Math.max(0, ...fields.map(([label]) => width(label) + 1));
  return (
    fields
      .map(([label, value]) =>
        `${pad(`${label}:`, labelWidth, 'left')} ${escapeControls(value).replace(/\n/g, `\n${' '.repeat(labelWidth + 1)}`)}`.trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** 850 ms, 12.4 s, 3 min 05 s. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** 2024-05-01 14:03:22Z: second precision, UTC, sortable. */
export const formatTime = (iso: string | null): string =>
  iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
