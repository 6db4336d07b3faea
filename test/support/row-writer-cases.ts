/**
 * One contract for both row writers (the text path: RowProcessor with CopyRowWriter; the byte path:
 * FastRowWriter), as one router suite runs against every router. Each case states what must be
 * stored; each writer's own test file runs the suite in a few lines.
 *
 * Known divergence, by design: the byte writer writes only plain, valid ASCII leads with nothing to
 * note, and declines every other row (the engine then hands it to the text path, which decides and
 * words it). So a case marked `byteDeclines` must be declined by the byte writer, never written
 * differently; every other case must be written by both, with the same stored values.
 */
import { describe, expect, it } from 'vitest';
import type { CopyRow } from './copy-rows.ts';
import type { WriteRow } from './row-writers.ts';

const HEADER =
  'company_name,industry,company_website,company_size,contact_name,contact_email,contact_phone,contact_title,notes';

interface RowCase {
  name: string;
  line: string;
  header?: string;
  region?: string;
  /** The stored values that matter for the case (the rest is checked by other cases). */
  stored?: Partial<CopyRow>;
  /** Problem codes the text path reports (the byte writer declines such rows). */
  invalid?: string[];
  /** Why the byte writer hands this row on instead of writing it. */
  byteDeclines?: string;
}

const CASES: RowCase[] = [
  {
    name: 'writes every column as sent, the import id, the source row and the normalized keys',
    line: 'Acme,Software,https://acme.com,11-50,Jane Doe,jane@acme.com,(212) 555-0143,CTO,hello',
    stored: {
      company_name: 'Acme',
      industry: 'Software',
      company_website: 'https://acme.com',
      company_size: '11-50',
      contact_name: 'Jane Doe',
      contact_email: 'jane@acme.com',
      contact_phone: '(212) 555-0143',
      contact_title: 'CTO',
      notes: 'hello',
      import_id: '00000000-0000-4000-8000-000000000000',
      source_row: '2',
      website_normalized: 'https://acme.com',
      phone_e164: '+12125550143',
      name_key: null,
    },
  },
  {
    name: 'trims cells, stores empty cells as NULL and normalizes a bare domain',
    line: '  Padded Co  ,,acme.com,,,,,,',
    stored: {
      company_name: 'Padded Co',
      industry: null,
      company_website: 'acme.com',
      website_normalized: 'https://acme.com',
      notes: null,
    },
  },
  {
    name: 'unquotes a quoted cell: a doubled quote is one quote, a line break is kept',
    line: '"Acme ""Best"" Co",,,,,,,,"two\nlines"',
    stored: { company_name: 'Acme "Best" Co', notes: 'two\nlines' },
  },
  {
    name: 'gives a lead without an e-mail its name key from company and contact name',
    line: 'Acme,,,,Jane,,,,',
    stored: { contact_name: 'Jane', contact_email: null, name_key: 'acme|jane' },
  },
  {
    name: 'reads the phone in the import region',
    line: 'Acme,,,,,,020 7946 0958,,',
    region: 'GB',
    stored: { contact_phone: '020 7946 0958', phone_e164: '+442079460958' },
  },
  {
    name: 'maps columns by their header, in any order, and ignores unknown ones',
    header: 'Email,Company,Source',
    line: 'zoe@acme.io,Acme,webinar',
    stored: { company_name: 'Acme', contact_email: 'zoe@acme.io', notes: null },
  },
  {
    name: 'keeps text that is not ASCII as written',
    line: 'Société Générale,,,,,,,,',
    stored: { company_name: 'Société Générale' },
    byteDeclines: 'not ASCII: the text path decodes it',
  },
  {
    name: 'normalizes a website with capitals and a path',
    line: 'Acme,,www.Acme.COM/path,,,Zoe@Acme.Example,+1 212 555 0143,,',
    stored: {
      website_normalized: 'https://www.acme.com/path',
      contact_email: 'Zoe@Acme.Example',
      phone_e164: '+12125550143',
    },
  },
  {
    name: 'keeps a phone it cannot read as written, without an E.164 form',
    line: 'Acme,,,,,,123,,',
    stored: { contact_phone: '123', phone_e164: null },
    byteDeclines: 'a phone it cannot normalize: the text path decides the note',
  },
  {
    name: 'keeps a backslash in a free-text cell',
    line: 'Acme,,,,,,,,a\\b',
    stored: { notes: 'a\\b' },
    byteDeclines: 'an unquoted backslash is not a plain byte',
  },
  {
    name: 'refuses a row without a company',
    line: ',,,,,,,,x',
    invalid: ['REQUIRED'],
    byteDeclines: 'invalid: the text path words the problem',
  },
  {
    name: 'refuses an e-mail that is not one',
    line: 'Acme,,,,,bad@@x,,,',
    invalid: ['INVALID_EMAIL'],
    byteDeclines: 'invalid: the text path words the problem',
  },
  {
    name: 'refuses a company name over 255 characters',
    line: `${'x'.repeat(256)},,,,,,,,`,
    invalid: ['TOO_LONG'],
    byteDeclines: 'invalid: the text path words the problem',
  },
];

export function runRowWriterCases(name: string, write: WriteRow, path: 'text' | 'byte'): void {
  describe(`${name}: the row writers' contract`, () => {
    for (const c of CASES) {
      it(c.name, () => {
        const outcome = write(c.header ?? HEADER, c.line, c.region);
        if (path === 'byte' && c.byteDeclines) {
          expect(outcome, c.byteDeclines).toEqual({ kind: 'declined' });
          return;
        }
        if (c.invalid) {
          expect(outcome).toEqual({ kind: 'invalid', codes: c.invalid });
          return;
        }
        expect(outcome.kind).toBe('written');
        if (outcome.kind === 'written') expect(outcome.row).toMatchObject(c.stored ?? {});
      });
    }
  });
}
