/**
 * Compiles a rule set, once per import, into one function the row processor calls per row: patterns
 * compiled, lists turned into hash lookups, nothing per row but the checks themselves.
 */
import { RE2JS } from 're2js';
import { COLUMN_MAX_CHARS, type LeadColumn } from '../contract/columns.ts';
import { normalizePhone } from '../rows/normalize.ts';
import type { RuleSet } from '../contract/rule-set.ts';
import type { RowProblem, RuleCells, RuleCheck } from '../rows/row-check.ts';

/**
 * Longest cell a pattern runs on: the longest any column may be. RE2 matches in time linear in the
 * cell, and this bounds the cell too, so no cell costs a pattern more than this many steps.
 */
export const MAX_PATTERN_CELL_CHARS = Math.max(...Object.values(COLUMN_MAX_CHARS));
/** How many values of an `allowed` list an error message names. */
const LISTED_VALUES = 5;
/**
 * Distinct cells whose pattern outcome is remembered, per pattern. Columns given patterns (sizes,
 * codes, regions) repeat their values, and a lookup costs far less than a match; bounded, so memory
 * does not grow with the file.
 */
const PATTERN_MEMO_ENTRIES = 4096;
/** Up to this many domains are compared one by one; longer lists walk the domain's parents in a set. */
const LINEAR_DOMAINS = 8;

type Check = (cells: RuleCells) => RowProblem | undefined;

const quoted = (value: string) => JSON.stringify(value);
/** PostgreSQL counts characters; JS length counts UTF-16 units, so count code points when close. */
const charCount = (value: string, max: number) => (value.length <= max ? value.length : [...value].length);

function listed(values: readonly string[]): string {
  const shown = values.slice(0, LISTED_VALUES).map(quoted).join(', ');
  return values.length > LISTED_VALUES ? `${shown} and ${values.length - LISTED_VALUES} more` : shown;
}

/** Whether a (lower-case) domain is one of `list` or a subdomain of one: whole labels only. */
function domainMatcher(list: readonly string[]): (domain: string) => boolean {
  if (list.length <= LINEAR_DOMAINS) {
    const dotted = list.map((d) => `.${d}`);
    return (domain) => {
      for (let i = 0; i < list.length; i++) if (domain === list[i] || domain.endsWith(dotted[i]!)) return true;
      return false;
    };
  }
  const set = new Set(list);
  return (domain) => {
    for (let d = domain; ; ) {
      if (set.has(d)) return true;
      const dot = d.indexOf('.');
      if (dot < 0) return false;
      d = d.slice(dot + 1);
    }
  };
}

/** `test` remembered for up to PATTERN_MEMO_ENTRIES distinct values (then asked every time). */
function memoized(test: (value: string) => boolean): (value: string) => boolean {
  const memo = new Map<string, boolean>();
  return (value) => {
    const known = memo.get(value);
    if (known !== undefined) return known;
    const outcome = test(value);
    if (memo.size < PATTERN_MEMO_ENTRIES) memo.set(value, outcome);
    return outcome;
  };
}

function checks(rules: RuleSet, phoneRegion: string, phoneOf: (phone: string) => string | undefined): Check[] {
  const out: Check[] = [];
  for (const column of rules.required ?? []) {
    out.push((cells) =>
      cells[column] === null
        ? { column, code: 'RULE_REQUIRED', message: 'is empty, but the rule set requires a value', value: null }
        : undefined,
    );
  }
  // Allowed lists first: the other rules then see the list's own spelling.
  for (const [column, values] of Object.entries(rules.allowed ?? {}) as [LeadColumn, string[]][]) {
    const spelling = new Map(values.map((v) => [v.toLowerCase(), v]));
    const message = `is not one of the values the rule set allows: ${listed(values)}`;
    out.push((cells) => {
      const value = cells[column];
      if (value === null) return undefined;
      const own = spelling.get(value.toLowerCase());
      if (own === undefined) return { column, code: 'RULE_NOT_ALLOWED', message, value };
      cells[column] = own;
      return undefined;
    });
  }
  for (const [column, max] of Object.entries(rules.max_length ?? {}) as [LeadColumn, number][]) {
    out.push((cells) => {
      const value = cells[column];
      if (value === null || value.length <= max) return undefined;
      const count = charCount(value, max);
      return count <= max
        ? undefined
        : {
            column,
            code: 'RULE_TOO_LONG',
            message: `is ${count} characters long; the rule set allows at most ${max}`,
            value,
          };
    });
  }
  for (const [column, source] of Object.entries(rules.pattern ?? {}) as [LeadColumn, string][]) {
    // RE2 (re2js) matches in linear time; the whole cell must match, as in HTML's pattern attribute.
    const compiled = RE2JS.compile(source);
    const matches = memoized((value) => compiled.matches(value));
    const message = `does not match the rule set's pattern ${source}`;
    const tooLong = `is longer than ${MAX_PATTERN_CELL_CHARS} characters, too long to check against the rule set's pattern`;
    out.push((cells) => {
      const value = cells[column];
      if (value === null) return undefined;
      if (value.length > MAX_PATTERN_CELL_CHARS) return { column, code: 'RULE_PATTERN', message: tooLong, value };
      return matches(value) ? undefined : { column, code: 'RULE_PATTERN', message, value };
    });
  }
  const domains = rules.email_domains;
  if (domains) {
    const allow = 'allow' in domains;
    const list = allow ? domains.allow : domains.deny;
    const isListed = domainMatcher(list);
    out.push((cells) => {
      const email = cells.contact_email;
      const at = email === null ? -1 : email.lastIndexOf('@');
      // No `@`: not an e-mail address at all, which the built-in rule reports.
      if (at < 0) return undefined;
      const domain = email!.slice(at + 1).toLowerCase();
      if (isListed(domain) === allow) return undefined;
      return {
        column: 'contact_email',
        code: 'RULE_EMAIL_DOMAIN',
        message: allow
          ? `domain ${domain} is not one the rule set allows (${listed(list)}, and their subdomains)`
          : `domain ${domain} is one the rule set refuses (${listed(list)}, and their subdomains)`,
        value: email,
      };
    });
  }
  if (rules.phone === 'valid') {
    const message = `is not a valid ${phoneRegion} phone number; the rule set requires valid numbers`;
    out.push((cells) => {
      const phone = cells.contact_phone;
      return phone !== null && phoneOf(phone) === undefined
        ? { column: 'contact_phone', code: 'RULE_PHONE', message, value: phone }
        : undefined;
    });
  }
  return out;
}

/** The rule set as one row check; undefined when it holds no rule, so rows pay nothing. */
export function compileRules(rules: RuleSet, phoneRegion: string): RuleCheck | undefined {
  let lastPhone: string | undefined;
  let lastE164: string | undefined;
  const phoneOf = (phone: string) => {
    if (phone !== lastPhone) {
      lastPhone = phone;
      lastE164 = normalizePhone(phone, phoneRegion);
    }
    return lastE164;
  };
  const list = checks(rules, phoneRegion, phoneOf);
  if (list.length === 0) return undefined;
  const check: RuleCheck = (cells) => {
    let problems: RowProblem[] | undefined;
    for (const one of list) {
      const problem = one(cells);
      if (problem) (problems ??= []).push(problem);
    }
    return problems;
  };
  if (rules.phone === 'valid') check.phone = phoneOf;
  return check;
}
