import { describe, expect, it } from 'vitest';
import { MAX_LIST_ENTRIES, MAX_PATTERN_CHARS, parseRuleSet } from '#core/contract/rule-set';
import { isRuleSetName } from '#core/contract/rule-set-name';
import { expectImportError } from '#test/expect-error';
import { EVERY_KIND } from '#test/rule-sets';

const refused = (input: unknown, message: string | RegExp) =>
  expectImportError(() => parseRuleSet(input), 'INVALID_OPTIONS', { message });

describe('parseRuleSet', () => {
  it('accepts the documented example with every kind of rule, and an empty document', () => {
    expect(parseRuleSet(EVERY_KIND)).toEqual(EVERY_KIND);
    expect(parseRuleSet({})).toEqual({});
  });

  it('refuses unknown keys with their path, at every level', () => {
    refused({ requird: ['industry'] }, 'unknown key "requird"');
    refused({ email_domains: { deny: ['gmail.com'], extra: 1 } }, 'email_domains: unknown key "extra"');
    refused({ max_length: { nots: 5 } }, 'max_length: unknown key "nots"');
    refused({ required: ['industry', 'colour'] }, 'required[1]: unknown column "colour"');
  });

  it('refuses a max_length above the built-in limit: a rule only adds restrictions', () => {
    expect(parseRuleSet({ max_length: { company_name: 255 } })).toEqual({ max_length: { company_name: 255 } });
    refused({ max_length: { company_name: 256 } }, 'max_length.company_name: must be at most 255, the built-in limit');
    refused({ max_length: { notes: 0 } }, 'max_length.notes:');
    refused({ max_length: { notes: 1.5 } }, 'max_length.notes:');
  });

  it('checks allowed lists: non-empty, no repeats ignoring case, no surrounding space, nothing COPY escapes', () => {
    refused({ allowed: { industry: [] } }, 'allowed.industry: must list at least one value');
    refused({ allowed: { industry: ['SaaS', 'saas'] } }, 'allowed.industry[1]: repeats "saas"');
    refused({ allowed: { industry: [' SaaS'] } }, 'allowed.industry[0]: must not start or end with whitespace');
    refused(
      { allowed: { industry: ['a\\b'] } },
      'allowed.industry[0]: must not contain a tab, line break or backslash',
    );
    const many = Array.from({ length: MAX_LIST_ENTRIES + 1 }, (_, i) => `v${i}`);
    refused({ allowed: { industry: many } }, `must list at most ${MAX_LIST_ENTRIES} values`);
  });

  it('takes email_domains as allow or deny, never both, with lower-case whole domains', () => {
    expect(parseRuleSet({ email_domains: { allow: ['acme.example'] } })).toBeTruthy();
    refused({ email_domains: { allow: ['a.example'], deny: ['b.example'] } }, 'email_domains: must be');
    refused({ email_domains: { deny: ['Gmail.com'] } }, 'email_domains.deny[0]: must be a lower-case domain');
    refused({ email_domains: { deny: ['@gmail.com'] } }, 'email_domains.deny[0]:');
  });

  it('takes phone "valid" only', () => {
    refused({ phone: true }, 'phone: must be "valid"');
  });

  it('refuses patterns RE2 cannot run in linear time (backreferences, lookarounds) and long ones', () => {
    refused({ pattern: { notes: '(a)\\1' } }, /pattern\.notes: is not a valid RE2 pattern.*\\1/);
    refused({ pattern: { notes: '(?=a)a' } }, 'pattern.notes: is not a valid RE2 pattern');
    refused({ pattern: { notes: '(?<!a)b' } }, 'pattern.notes: is not a valid RE2 pattern');
    refused({ pattern: { notes: 'a'.repeat(MAX_PATTERN_CHARS + 1) } }, `at most ${MAX_PATTERN_CHARS} characters`);
    refused({ pattern: { notes: 'a{1001}' } }, 'invalid repeat count');
    expect(parseRuleSet({ pattern: { notes: 'a'.repeat(MAX_PATTERN_CHARS) } })).toBeTruthy();
  });
});

describe('isRuleSetName', () => {
  it('takes [a-z0-9-]{1,64} only', () => {
    expect(isRuleSetName('emea-sales-2')).toBe(true);
    expect(isRuleSetName('a'.repeat(64))).toBe(true);
    for (const bad of ['', 'a'.repeat(65), 'Sales', 'a_b', '../x', 'a b', 'a.b', 'é'])
      expect(isRuleSetName(bad), bad).toBe(false);
  });
});
