import { describe, expect, it } from 'vitest';
import { LEAD_COLUMNS } from '#core/contract/columns';
import { DEFAULT_LIMITS, LeadEngine } from '#core/engine/lead-engine';
import { parseImportOptions } from '#core/contract/options';
import { compileRules, MAX_PATTERN_CELL_CHARS } from '#core/rules/rule-checker';
import type { RuleCells } from '#core/rows/row-check';
import { parseRuleSet } from '#core/contract/rule-set';
import { copyRowsOf } from '#test/copy-rows';
import { expectImportError } from '#test/expect-error';
import { EVERY_KIND } from '#test/rule-sets';

const cellsOf = (values: Partial<RuleCells>): RuleCells => ({
  ...(Object.fromEntries(LEAD_COLUMNS.map((c) => [c, null])) as RuleCells),
  company_name: 'Acme',
  ...values,
});

/** The problems (code, column, message, value) the rules find in one row. */
function check(rules: unknown, values: Partial<RuleCells>, region = 'US') {
  const compiled = compileRules(parseRuleSet(rules), region);
  if (!compiled) throw new Error('no rules compiled');
  const cells = cellsOf(values);
  return { problems: compiled(cells) ?? [], cells };
}
const codes = (rules: unknown, values: Partial<RuleCells>) => check(rules, values).problems.map((p) => p.code);

describe('compileRules', () => {
  it('compiles an empty rule set to nothing, so rows pay nothing', () => {
    expect(compileRules({}, 'US')).toBeUndefined();
  });

  it('required: an empty cell fails with RULE_REQUIRED naming the column; any value passes', () => {
    const rules = { required: ['industry', 'contact_email'] };
    expect(check(rules, { industry: 'SaaS' }).problems).toEqual([
      {
        column: 'contact_email',
        code: 'RULE_REQUIRED',
        message: 'is empty, but the rule set requires a value',
        value: null,
      },
    ]);
    expect(codes(rules, { industry: 'x', contact_email: 'a@b.example' })).toEqual([]);
  });

  it('max_length: exactly the limit passes, one more fails, counting characters (not UTF-16 units)', () => {
    const rules = { max_length: { contact_title: 3 } };
    expect(codes(rules, { contact_title: 'CTO' })).toEqual([]);
    expect(codes(rules, { contact_title: '😀😀😀' })).toEqual([]);
    const { problems } = check(rules, { contact_title: 'CTOs' });
    expect(problems).toEqual([
      {
        column: 'contact_title',
        code: 'RULE_TOO_LONG',
        message: 'is 4 characters long; the rule set allows at most 3',
        value: 'CTOs',
      },
    ]);
  });

  it("allowed: compares ignoring case and stores the list's own spelling; other values fail", () => {
    const rules = { allowed: { industry: ['SaaS', 'Health Care'] } };
    const { problems, cells } = check(rules, { industry: 'health care' });
    expect(problems).toEqual([]);
    expect(cells.industry).toBe('Health Care');
    expect(check(rules, { industry: 'SAAS' }).cells.industry).toBe('SaaS');
    expect(check(rules, { industry: 'Retail' }).problems).toEqual([
      {
        column: 'industry',
        code: 'RULE_NOT_ALLOWED',
        message: 'is not one of the values the rule set allows: "SaaS", "Health Care"',
        value: 'Retail',
      },
    ]);
    // An empty cell is not a value: only `required` makes it one.
    expect(codes(rules, {})).toEqual([]);
  });

  it('allowed: a long list is named in part', () => {
    const values = Array.from({ length: 8 }, (_, i) => `v${i}`);
    const [problem] = check({ allowed: { industry: values } }, { industry: 'x' }).problems;
    expect(problem?.message).toBe(
      'is not one of the values the rule set allows: "v0", "v1", "v2", "v3", "v4" and 3 more',
    );
  });

  it('pattern: the whole cell must match', () => {
    const rules = { pattern: { company_size: '[0-9]+(-[0-9]+|\\+)?' } };
    for (const ok of ['10', '11-50', '1000+']) expect(codes(rules, { company_size: ok }), ok).toEqual([]);
    for (const bad of ['ten', '11-50 people', 'about 10'])
      expect(codes(rules, { company_size: bad }), bad).toEqual(['RULE_PATTERN']);
    expect(check(rules, { company_size: 'ten' }).problems[0]?.message).toBe(
      "does not match the rule set's pattern [0-9]+(-[0-9]+|\\+)?",
    );
  });

  it('pattern: a classic catastrophic pattern runs in linear time (RE2), also on the longest cell', () => {
    // `^(a+)+$` backtracks exponentially in a backtracking engine on "aaaa...b"; RE2 has no backtracking.
    const rules = { pattern: { notes: '^(a+)+$' } };
    const evil = `${'a'.repeat(MAX_PATTERN_CELL_CHARS - 1)}b`;
    expect(codes(rules, { notes: evil })).toEqual(['RULE_PATTERN']);
    expect(codes(rules, { notes: 'a'.repeat(MAX_PATTERN_CELL_CHARS) })).toEqual([]);
    const nested = { pattern: { notes: '(x+x+)+y' } };
    expect(codes(nested, { notes: 'x'.repeat(MAX_PATTERN_CELL_CHARS) })).toEqual(['RULE_PATTERN']);
  });

  it('pattern: a 1 MB cell is not run against the pattern but reported as too long to check', () => {
    const rules = { pattern: { notes: '^(a|aa)+$' } };
    const { problems } = check(rules, { notes: 'a'.repeat(1024 * 1024) });
    expect(problems).toEqual([
      expect.objectContaining({
        column: 'notes',
        code: 'RULE_PATTERN',
        message: `is longer than ${MAX_PATTERN_CELL_CHARS} characters, too long to check against the rule set's pattern`,
      }),
    ]);
  });

  it('email_domains deny: the domain and its subdomains fail, look-alikes pass, case-insensitively', () => {
    const rules = { email_domains: { deny: ['gmail.com'] } };
    expect(codes(rules, { contact_email: 'a@gmail.com' })).toEqual(['RULE_EMAIL_DOMAIN']);
    expect(codes(rules, { contact_email: 'a@GMail.COM' })).toEqual(['RULE_EMAIL_DOMAIN']);
    expect(codes(rules, { contact_email: 'a@eu.gmail.com' })).toEqual(['RULE_EMAIL_DOMAIN']);
    expect(codes(rules, { contact_email: 'a@notgmail.com' })).toEqual([]);
    expect(codes(rules, { contact_email: 'a@gmail.com.example' })).toEqual([]);
    expect(codes(rules, {})).toEqual([]);
    expect(check(rules, { contact_email: 'a@gmail.com' }).problems[0]?.message).toBe(
      'domain gmail.com is one the rule set refuses ("gmail.com", and their subdomains)',
    );
  });

  it('email_domains allow: only the domains and their subdomains pass', () => {
    const rules = { email_domains: { allow: ['acme.example'] } };
    expect(codes(rules, { contact_email: 'zoe@acme.example' })).toEqual([]);
    expect(codes(rules, { contact_email: 'zoe@sales.acme.example' })).toEqual([]);
    expect(codes(rules, { contact_email: 'zoe@evilacme.example' })).toEqual(['RULE_EMAIL_DOMAIN']);
    expect(codes(rules, { contact_email: 'zoe@acme.example.org' })).toEqual(['RULE_EMAIL_DOMAIN']);
    // Not an address at all: the built-in e-mail rule reports it, not this one.
    expect(codes(rules, { contact_email: 'nobody' })).toEqual([]);
  });

  it('phone "valid": an unparseable phone is an error for the region, a valid one passes', () => {
    const rules = { phone: 'valid' };
    expect(codes(rules, { contact_phone: '(212) 555-0143' })).toEqual([]);
    expect(codes(rules, { contact_phone: '+44 20 7946 0958' })).toEqual([]);
    expect(check(rules, { contact_phone: '555-01' }).problems).toEqual([
      {
        column: 'contact_phone',
        code: 'RULE_PHONE',
        message: 'is not a valid US phone number; the rule set requires valid numbers',
        value: '555-01',
      },
    ]);
    expect(check(rules, { contact_phone: '12' }, 'DE').problems[0]?.message).toContain('valid DE phone');
    expect(codes(rules, {})).toEqual([]);
  });

  it('reports every failed rule of a row, one problem each', () => {
    expect(
      codes(EVERY_KIND, {
        industry: 'Retail',
        company_size: 'lots',
        contact_email: 'x@gmail.com',
        contact_phone: '12',
        contact_title: 'x'.repeat(81),
      }),
    ).toEqual(['RULE_NOT_ALLOWED', 'RULE_TOO_LONG', 'RULE_PATTERN', 'RULE_EMAIL_DOMAIN', 'RULE_PHONE']);
  });
});

describe('LeadEngine with a rule set', () => {
  const CSV = [
    'Company,Industry,Size,Email,Phone',
    'Acme,saas,11-50,zoe@acme.example,(212) 555-0143',
    'Beta,Retail,11-50,bo@beta.example,',
    ',saas,lots,cy@gmail.com,',
    'Delta,Fintech,10,di@delta.example,',
  ].join('\n');

  function run(options = {}) {
    const engine = new LeadEngine(
      '00000000-0000-4000-8000-000000000001',
      parseImportOptions(options),
      DEFAULT_LIMITS,
      parseRuleSet(EVERY_KIND),
    );
    const first = engine.write(Buffer.from(CSV));
    const last = engine.end();
    return { copy: copyRowsOf([...first.copy, ...last.copy]), summary: last.summary };
  }

  it('adds rule errors to the built-in ones, row by row, and stores allowed values as the list spells them', () => {
    const { copy, summary } = run();
    expect(summary).toMatchObject({ total_leads: 4, valid_count: 2, failed_count: 2 });
    expect(summary.error_details.map((e) => [e.row, e.column, e.code])).toEqual([
      [3, 'industry', 'RULE_NOT_ALLOWED'],
      [4, 'company_name', 'REQUIRED'],
      [4, 'company_size', 'RULE_PATTERN'],
      [4, 'contact_email', 'RULE_EMAIL_DOMAIN'],
    ]);
    expect(copy.map((row) => row.industry)).toEqual(['SaaS', 'Fintech']);
  });

  it('makes a rule error reject the file in strict mode, naming the rule', () => {
    expectImportError(() => run({ strict_mode: true }), 'STRICT_MODE_ROW_ERROR', {
      row: 3,
      column: 'industry',
      message: 'Row 3: industry: is not one of the values the rule set allows',
    });
  });
});
