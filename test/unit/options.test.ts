import { describe, expect, it } from 'vitest';
import { optionsFromMetadata, optionsToMetadata, parseImportOptions } from '#core/contract/options';
import { expectImportError } from '#test/expect-error';

const DEFAULTS = {
  strict_mode: false,
  error_threshold: 0.1,
  on_duplicate: 'skip',
  encoding: 'auto',
  delimiter: 'auto',
  phone_region: 'US',
  dry_run: false,
  match_on: 'email',
};

describe('parseImportOptions', () => {
  it('fills in the defaults', () => {
    expect(parseImportOptions({})).toEqual(DEFAULTS);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    [true, true],
    ['false', false],
    ['0', false],
    ['no', false],
    [false, false],
  ])('reads strict_mode %j as %s', (value, expected) => {
    expect(parseImportOptions({ strict_mode: value }).strict_mode).toBe(expected);
  });

  it('refuses an unreadable strict_mode, naming the option', () => {
    expectImportError(() => parseImportOptions({ strict_mode: 'maybe' }), 'INVALID_OPTIONS', {
      message: 'strict_mode',
    });
  });

  it('coerces a numeric error_threshold text', () => {
    expect(parseImportOptions({ error_threshold: '0.25' }).error_threshold).toBe(0.25);
    expect(parseImportOptions({ error_threshold: 0 }).error_threshold).toBe(0);
    expect(parseImportOptions({ error_threshold: '1' }).error_threshold).toBe(1);
  });

  it.each(['abc', '1.5', '-0.1', 2])('refuses error_threshold %j with INVALID_OPTIONS naming the option', (value) => {
    const error = expectImportError(() => parseImportOptions({ error_threshold: value }), 'INVALID_OPTIONS', {
      message: 'Invalid import option error_threshold',
    });
    expect(error.detail?.issues).toEqual([expect.objectContaining({ path: ['error_threshold'] })]);
  });

  it('parses a mapping given as JSON text', () => {
    const options = parseImportOptions({ mapping: '{"Org Name":"company_name","Legacy":"ignore"}' });
    expect(options.mapping).toEqual({ 'Org Name': 'company_name', Legacy: 'ignore' });
  });

  it('accepts a mapping given as an object', () => {
    expect(parseImportOptions({ mapping: { Kunde: 'company_name' } }).mapping).toEqual({ Kunde: 'company_name' });
  });

  it.each([
    ['{"options":{"__proto__":{"strict_mode":true}}}', '__proto__'],
    ['{"options":{"constructor":1}}', 'constructor'],
    ['{"options":{"prototype":1}}', 'prototype'],
    ['{"options":{"mapping":{"__proto__":"company_name"}}}', 'mapping.__proto__'],
    ['{"options":{"mapping":{"constructor":"notes"}}}', 'mapping.constructor'],
    ['{"options":{"mapping":"{\\"__proto__\\":\\"company_name\\"}"}}', 'mapping.__proto__'],
  ])('refuses the reserved key in %s instead of dropping it', (json, name) => {
    const { options } = JSON.parse(json) as { options: Record<string, unknown> };
    expectImportError(() => parseImportOptions(options), 'INVALID_OPTIONS', { message: name });
  });

  it.each([
    ['text that is not JSON', '{Org Name: company_name'],
    ['a JSON array', '["company_name"]'],
    ['an unknown target column', '{"Org":"company"}'],
    ['an empty header name', '{"":"company_name"}'],
  ])('refuses a mapping with %s', (_name, mapping) => {
    expectImportError(() => parseImportOptions({ mapping }), 'INVALID_OPTIONS', {
      message: 'Invalid import option mapping',
    });
  });

  it.each([
    ['tab', '\t'],
    ['\\t', '\t'],
    ['\t', '\t'],
    [';', ';'],
    ['|', '|'],
    [',', ','],
    ['auto', 'auto'],
  ])('reads delimiter %j', (value, expected) => {
    expect(parseImportOptions({ delimiter: value }).delimiter).toBe(expected);
  });

  it('refuses an unsupported delimiter', () => {
    expectImportError(() => parseImportOptions({ delimiter: ':' }), 'INVALID_OPTIONS', { message: 'delimiter' });
  });

  it.each([
    ['UTF-8', 'utf-8'],
    ['utf8', 'utf-8'],
    ['UTF-16LE', 'utf-16le'],
    ['latin1', 'windows-1252'],
    ['cp1252', 'windows-1252'],
    ['ISO-8859-1', 'windows-1252'],
  ])('normalizes encoding %j to %s', (value, expected) => {
    expect(parseImportOptions({ encoding: value }).encoding).toBe(expected);
  });

  it('refuses an unsupported encoding', () => {
    expectImportError(() => parseImportOptions({ encoding: 'ebcdic' }), 'INVALID_OPTIONS', { message: 'encoding' });
  });

  it('upper-cases phone_region and refuses anything but two letters', () => {
    expect(parseImportOptions({ phone_region: 'gb' }).phone_region).toBe('GB');
    expectImportError(() => parseImportOptions({ phone_region: 'GBR' }), 'INVALID_OPTIONS', {
      message: ['phone_region', 'two-letter'],
    });
  });

  it('refuses an unknown on_duplicate policy', () => {
    expect(parseImportOptions({ on_duplicate: 'update' }).on_duplicate).toBe('update');
    expectImportError(() => parseImportOptions({ on_duplicate: 'merge' }), 'INVALID_OPTIONS', {
      message: 'on_duplicate',
    });
  });

  it('refuses an unknown option, naming it', () => {
    expectImportError(() => parseImportOptions({ strictMode: true }), 'INVALID_OPTIONS', { message: 'strictMode' });
  });
});

describe('rule_set', () => {
  it('names a rule set ([a-z0-9-]{1,64}), travels as rule-set metadata, and is absent by default', () => {
    expect(parseImportOptions({}).rule_set).toBeUndefined();
    const options = parseImportOptions({ rule_set: 'emea-sales' });
    expect(optionsToMetadata(options)['rule-set']).toBe('emea-sales');
    expect(optionsFromMetadata({ 'rule-set': 'emea-sales' }).rule_set).toBe('emea-sales');
    for (const bad of ['EMEA', '../x', 'a b', '', 'x'.repeat(65)])
      expectImportError(() => parseImportOptions({ rule_set: bad }), 'INVALID_OPTIONS', {
        message: ['rule_set', 'lower-case letters'],
      });
  });
});

describe('dry_run and match_on', () => {
  it('reads dry_run as a yes/no flag and match_on as email or email_or_name', () => {
    expect(parseImportOptions({ dry_run: 'yes', match_on: 'email_or_name' })).toMatchObject({
      dry_run: true,
      match_on: 'email_or_name',
    });
    expect(parseImportOptions({ dry_run: false, match_on: 'email' })).toMatchObject({
      dry_run: false,
      match_on: 'email',
    });
  });

  it.each([
    [{ dry_run: 'perhaps' }, 'dry_run'],
    [{ match_on: 'name' }, 'match_on'],
  ])('refuses %j naming the option', (input, name) => {
    expectImportError(() => parseImportOptions(input), 'INVALID_OPTIONS', { message: `Invalid import option ${name}` });
  });
});

describe('optionsFromMetadata', () => {
  it('maps kebab-case S3 metadata to the snake_case options', () => {
    // Prepare
    const metadata = {
      'strict-mode': 'true',
      'error-threshold': '0.05',
      'on-duplicate': 'update',
      'phone-region': 'de',
      delimiter: 'tab',
      encoding: 'latin1',
      mapping: '{"Firma":"company_name"}',
      'dry-run': 'true',
      'match-on': 'email_or_name',
    };
    // Act
    const options = optionsFromMetadata(metadata);
    // Assess
    expect(options).toEqual({
      strict_mode: true,
      error_threshold: 0.05,
      on_duplicate: 'update',
      phone_region: 'DE',
      delimiter: '\t',
      encoding: 'windows-1252',
      mapping: { Firma: 'company_name' },
      dry_run: true,
      match_on: 'email_or_name',
    });
  });

  it('accepts full x-amz-meta- header names in any case', () => {
    const options = optionsFromMetadata({ 'X-Amz-Meta-Strict-Mode': 'yes', 'x-amz-meta-error-threshold': '0.2' });
    expect(options).toMatchObject({ strict_mode: true, error_threshold: 0.2 });
  });

  it('ignores metadata from other tools and gives the defaults without metadata', () => {
    expect(optionsFromMetadata({ 'uploaded-by': 'crm-sync', 'content-owner': 'sales' })).toEqual(DEFAULTS);
    expect(optionsFromMetadata(undefined)).toEqual(DEFAULTS);
  });

  it.each([
    [{ 'x-amz-meta-__proto__': 'x' }, '__proto__'],
    [{ constructor: 'x' }, 'constructor'],
    [{ prototype: 'x' }, 'prototype'],
    [{ mapping: '{"__proto__":"company_name"}' }, 'mapping.__proto__'],
    [{ mapping: '{"Org":"company_name","prototype":"notes"}' }, 'mapping.prototype'],
  ])('refuses the reserved key in metadata %j with INVALID_OPTIONS', (metadata, name) => {
    expectImportError(() => optionsFromMetadata(metadata), 'INVALID_OPTIONS', { message: name });
  });

  it('refuses a bad value with INVALID_OPTIONS naming the option', () => {
    expectImportError(() => optionsFromMetadata({ 'error-threshold': 'ten percent' }), 'INVALID_OPTIONS', {
      message: 'error_threshold',
    });
  });
});

describe('optionsToMetadata', () => {
  it('writes kebab-case keys and text values, skipping undefined', () => {
    const metadata = optionsToMetadata({
      strict_mode: true,
      error_threshold: 0.05,
      mapping: { Org: 'company_name' },
      encoding: undefined,
    });
    expect(metadata).toEqual({ 'strict-mode': 'true', 'error-threshold': '0.05', mapping: '{"Org":"company_name"}' });
  });

  it('round-trips through optionsFromMetadata', () => {
    const options = parseImportOptions({
      strict_mode: true,
      error_threshold: 0.2,
      on_duplicate: 'allow',
      delimiter: ';',
      mapping: { Org: 'company_name' },
      phone_region: 'FR',
    });
    expect(optionsFromMetadata(optionsToMetadata(options))).toEqual(options);
  });

  it('keeps values header-safe: a tab delimiter spelled tab, non-ASCII and spaces escaped, and still round-trips', () => {
    const options = parseImportOptions({ delimiter: '\t', mapping: { 'Société Name': 'company_name' } });
    const metadata = optionsToMetadata(options);
    expect(metadata.delimiter).toBe('tab');
    expect(metadata.mapping).toBe('{"Soci\\u00e9t\\u00e9\\u0020Name":"company_name"}');
    expect(Object.values(metadata).every((v) => /^[\x21-\x7e]*$/.test(v))).toBe(true);
    expect(optionsFromMetadata(metadata)).toEqual(options);
  });
});
