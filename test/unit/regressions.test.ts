import { describe, expect, it } from 'vitest';
import { ByteDecoder } from '#core/parse/decode';
import { mapHeaders } from '#core/parse/headers';
import { parseImportOptions } from '#core/contract/options';
import { RowProcessor } from '#core/rows/row-processor';
import { expectImportError } from '#test/expect-error';

/** Bugs found by review of the core stages; each test failed before its fix. */
describe('regressions', () => {
  it('decodes Windows-1252 smart quotes, dashes and the euro sign (Node 20 TextDecoder does not)', () => {
    const decoder = new ByteDecoder('auto');
    const out = [
      ...decoder.write(Buffer.from([0x93, 0x48, 0x69, 0x94, 0x20, 0x96, 0x20, 0x80, 0x35, 0x0a])),
      ...decoder.end(),
    ].join('');
    expect(out).toBe('\u201CHi\u201D \u2013 \u20AC5\n');
    expect(decoder.encoding).toBe('windows-1252');
  });

  it('trims non-breaking spaces and other Unicode whitespace at cell edges', () => {
    const rows = new RowProcessor(mapHeaders(['Company', 'Email']), 'US');
    const lead = rows.process(['Acme\u00A0', '\u3000zoe@acme.example\u00A0']);
    expect(lead.kind).toBe('lead');
    expect(lead.kind === 'lead' && lead.values.slice(0, 6)).toEqual([
      'Acme',
      null,
      null,
      null,
      null,
      'zoe@acme.example',
    ]);
    expect(rows.process(['\u00A0', '\uFEFF'])).toEqual({ kind: 'blank' });
  });

  it('lets an explicit mapping win over a synonym guessed for the same column', () => {
    const map = mapHeaders(['Company', 'Org Name'], { 'Org Name': 'company_name' });
    expect(map.mapped).toEqual({ 'Org Name': 'company_name' });
    expect(map.unknown).toEqual(['Company']);
  });

  it('refuses an empty error threshold instead of reading it as 0', () => {
    expectImportError(() => parseImportOptions({ error_threshold: ' ' }), 'INVALID_OPTIONS', {
      message: 'error_threshold',
    });
    expect(parseImportOptions({ error_threshold: '0.25' }).error_threshold).toBe(0.25);
  });

  it('points at the first invalid UTF-8 byte', () => {
    const decoder = new ByteDecoder('utf-8');
    const bytes = Buffer.concat([Buffer.alloc(70_000, 0x61), Buffer.from([0x41, 0xe9, 0x41])]);
    expectImportError(() => decoder.write(bytes), 'ENCODING_INVALID', { message: 'near byte 70001' });
  });
});
