import { describe, expect, it } from 'vitest';
import { parseImportsArgs } from '../../scripts/imports.ts';
import { formatDuration, formatTime, renderFields, renderTable } from '../../scripts/lib/table.ts';

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
