import { describe, expect, it } from 'vitest';
import {
  decodeEventKey,
  encodeEventKey,
  fileNameOf,
  isImportableKey,
  rejectedKeyFor,
  resultKeyFor,
} from '#core/contract/keys';

describe('decodeEventKey', () => {
  it('decodes percent escapes and + as a space, as S3 event notifications encode keys', () => {
    expect(decodeEventKey('uploads/a+b%C3%BC.csv')).toBe('uploads/a bü.csv');
  });

  it('decodes an encoded + back to a literal +', () => {
    expect(decodeEventKey('uploads/a%2Bb.csv')).toBe('uploads/a+b.csv');
  });

  it('answers undefined for a key that is not valid percent-encoding', () => {
    expect(decodeEventKey('uploads/u1/leads%E0%A4%A.csv')).toBeUndefined();
    expect(decodeEventKey('uploads/100%.csv')).toBeUndefined();
  });
});

describe('encodeEventKey', () => {
  it('keeps slashes, writes spaces as + and escapes a literal +', () => {
    expect(encodeEventKey('uploads/2024 Q1/a+b ü.csv')).toBe('uploads/2024+Q1/a%2Bb+%C3%BC.csv');
  });

  it.each([
    'uploads/leads.csv',
    'uploads/a+b.csv',
    'uploads/Q1 leads (final) + extras.csv',
    'uploads/abc123/Société Générale – 東京 🚀.csv',
    'uploads/100% done & more?#.csv',
  ])('round-trips %j', (key) => {
    expect(decodeEventKey(encodeEventKey(key))).toBe(key);
  });
});

describe('isImportableKey', () => {
  it.each([
    ['uploads/leads.csv', true],
    ['uploads/abc/leads.CSV', true],
    ['uploads/abc/Leads.Csv', true],
    ['uploads/leads.csv.result.json', false],
    ['uploads/leads.csv.rejected.csv', false],
    ['uploads/leads.csv.REJECTED.CSV', false],
    ['results/leads.csv', false],
    ['leads.csv', false],
    ['Uploads/leads.csv', false],
    ['uploads/leads.xlsx', false],
    ['uploads/leads.csv.gz', false],
  ])('%s -> %s', (key, expected) => {
    expect(isImportableKey(key)).toBe(expected);
  });

  it('does not import the files the importer writes itself', () => {
    const key = 'uploads/abc/leads.csv';
    expect(isImportableKey(resultKeyFor(key))).toBe(false);
    expect(isImportableKey(rejectedKeyFor(key))).toBe(false);
  });
});

describe('output keys and file names', () => {
  it('puts the result and the rejected rows next to the upload', () => {
    expect(resultKeyFor('uploads/abc/leads.csv')).toBe('uploads/abc/leads.csv.result.json');
    expect(rejectedKeyFor('uploads/abc/leads.csv')).toBe('uploads/abc/leads.csv.rejected.csv');
  });

  it('takes the file name after the last slash', () => {
    expect(fileNameOf('uploads/abc/Q1 leads.csv')).toBe('Q1 leads.csv');
    expect(fileNameOf('leads.csv')).toBe('leads.csv');
  });
});
