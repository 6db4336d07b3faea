import { describe, expect, it } from 'vitest';
import type { ImportRecord, ImportSummary } from '#io/history';
import { parseImportsArgs, renderImport, renderList } from '../../scripts/imports.ts';
import { formatDuration, formatTime, renderFields, renderTable } from '../../scripts/lib/table.ts';
import { escapeControls, terminalJson } from '../../scripts/lib/terminal-text.ts';

const ID = '0b9c7c6e-3f5e-4a59-9a53-2d0f1f6f1d2e';

describe('imports CLI arguments', () => {
  it('parses list, show and revert', () => {
    expect(parseImportsArgs(['list'])).toEqual({ name: 'list', limit: 20, json: false });
    expect(parseImportsArgs(['list', '--limit', '5', '--json'])).toEqual({ name: 'list', limit: 5, json: true });
    expect(parseImportsArgs(['show', ID, '--json'])).toEqual({ name: 'show', id: ID, json: true });
    expect(parseImportsArgs(['revert', ID.toUpperCase()])).toEqual({ name: 'revert', id: ID });
    expect(parseImportsArgs(['--help'])).toEqual({ name: 'help' });
  });

  it.each([
    [[], /missing command/],
    [['frob'], /unknown command: frob/],
    [['list', '--limit', '0'], /--limit must be a whole number from 1 to 1000/],
    [['list', '--limit', '2.5'], /--limit must be/],
    [['list', 'extra'], /list takes no arguments/],
    [['show'], /show takes exactly one import id/],
    [['show', ID, ID], /show takes exactly one import id/],
    [['revert', 'not-a-uuid'], /not an import id/],
    [['revert', ID, '--limit', '3'], /--limit applies to list only/],
    [['list', '--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j', (argv, problem) => {
    const parsed = parseImportsArgs(argv);

    expect(typeof parsed).toBe('string');
    expect(parsed).toMatch(problem);
  });
});

describe('table rendering', () => {
  it('aligns columns, right-aligns numbers, cuts long cells and keeps one line per row', () => {
    const text = renderTable(
      [
        { header: 'NAME', value: (r: { name: string; n: number }) => r.name, maxWidth: 8 },
        { header: 'N', value: (r) => String(r.n), align: 'right' },
      ],
      [
        { name: 'short', n: 5 },
        { name: 'a very long\nname', n: 1234 },
      ],
    );

    expect(text).toBe('NAME         N\nshort        5\na very …  1234\n');
  });

  it('renders label/value blocks with multi-line values indented', () => {
    expect(
      renderFields([
        ['id', 'x'],
        ['errors', 'one\ntwo'],
      ]),
    ).toBe('id:     x\nerrors: one\n        two\n');
  });

  it('formats durations and times', () => {
    expect([formatDuration(null), formatDuration(850), formatDuration(12_400), formatDuration(185_000)]).toEqual([
      '-',
      '850 ms',
      '12.4 s',
      '3 min 05 s',
    ]);
    expect([formatTime('2024-05-01T14:03:22.123Z'), formatTime(null)]).toEqual(['2024-05-01 14:03:22Z', '-']);
  });
});

describe('dry runs in list and show', () => {
  const summary: ImportSummary = {
    id: ID,
    started_at: '2026-12-02T05:00:00.000Z',
    finished_at: '2026-12-02T05:00:01.000Z',
    status: 'succeeded',
    dry_run: true,
    filename: 'checked.csv',
    total_leads: 2,
    imported_count: 2,
    updated_count: 0,
    duplicate_count: 0,
    failed_count: 0,
    duration_ms: 1000,
    error_code: null,
    reverted_at: null,
  };

  it('says "dry run" beside the status of a dry run only', () => {
    const [, dry, real] = renderList([summary, { ...summary, dry_run: false }]).split('\n');
    expect(dry).toMatch(/ succeeded \(dry run\) /);
    expect(real).not.toContain('dry run');
  });

  it('shows that nothing was kept', () => {
    const record: ImportRecord = {
      ...summary,
      source_bucket: 'lead-uploads',
      source_key: 'uploads/me/checked.csv',
      source_version: 'null',
      source_size: 10,
      uploader: 'me',
      message: null,
      options: { dry_run: true },
      encoding: 'utf-8',
      delimiter: ',',
      lead_id_floor: 0,
      rule_set_name: null,
      rule_set_version: null,
      result: null,
    };
    expect(renderImport(record)).toMatch(/^dry run:\s+yes: nothing was kept$/m);
    expect(renderImport({ ...record, dry_run: false })).toMatch(/^dry run:\s+no$/m);
  });
});

describe('terminal output escapes control characters', () => {
  const HOSTILE = 'uploads/me/\x1b]0;pwned\x07\x1b[31mred\u009b2J.csv';
  /** Nothing a terminal would act on: no C0 but line feed, no DEL, no C1. */
  const expectInert = (text: string) => expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);

  it('escapes C0 and C1 controls as visible \\xNN text and keeps line feeds', () => {
    expect(escapeControls('a\x1b[31mb\x07c\u009bd\x7fe\nf\tg')).toBe('a\\x1b[31mb\\x07c\\x9bd\\x7fe\nf\\x09g');
    expect(escapeControls('Müller Söhne.csv')).toBe('Müller Söhne.csv');
  });

  it('prints a hostile key and file name inert in imports list and show', () => {
    const summary = {
      id: '0b9c7c6e-3f5e-4a59-9a53-2d0f1f6f1d2e',
      started_at: '2026-12-02T05:00:00.000Z',
      finished_at: '2026-12-02T05:00:01.000Z',
      status: 'succeeded',
      filename: HOSTILE.slice(11),
      total_leads: 1,
      imported_count: 1,
      updated_count: 0,
      duplicate_count: 0,
      failed_count: 0,
      duration_ms: 1000,
      error_code: null,
      reverted_at: null,
    } as const;
    const table = renderTable([{ header: 'FILE', value: (r: typeof summary) => r.filename }], [summary]);
    expectInert(table);
    expect(table).toContain('\\x1b]0;pwned\\x07\\x1b[31mred\\x9b2J.csv');

    const record = {
      ...summary,
      source_bucket: 'lead-uploads',
      source_key: HOSTILE,
      source_version: 'null',
      source_size: 10,
      uploader: 'me\x1b[2J',
      message: 'Imported \x1b[8m',
      options: { mapping: { '\x1b[31m': 'notes' } },
      encoding: 'utf-8',
      delimiter: ',',
      lead_id_floor: 0,
      result: null,
    } as unknown as ImportRecord;
    const shown = renderImport(record);
    expectInert(shown);
    expect(shown).toContain('source key:     uploads/me/\\x1b]0;pwned');
  });

  it('keeps JSON output the same JSON value with DEL and C1 escaped (JSON.stringify leaves them raw)', () => {
    const value = { key: HOSTILE, note: 'a\x7fb\u2028c' };
    const text = terminalJson(value, 2);
    expectInert(text);
    expect(text).not.toMatch(/[\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
