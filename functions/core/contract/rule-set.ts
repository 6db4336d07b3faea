/**
 * A caller's validation rule set: one JSON document of extra restrictions on top of the built-in
 * rules (which always apply underneath; a rule can only add restrictions). Validated strictly:
 * an unknown key anywhere is refused with its path named.
 */
import { RE2JS } from 're2js';
import { z } from 'zod';
import { COLUMN_MAX_CHARS, LEAD_COLUMNS, type LeadColumn } from './columns.ts';
import { specialCharacterPattern } from '../text/special-characters.ts';
import { FileError } from './errors.ts';

/** Longest pattern accepted; RE2 compiles patterns to automata whose size grows with them. */
export const MAX_PATTERN_CHARS = 500;
/** Values in one `allowed` list and domains in one `email_domains` list. */
export const MAX_LIST_ENTRIES = 1000;
/** Largest rule-set document, as JSON text (it is loaded once per import and kept in memory). */
export const MAX_RULE_SET_BYTES = 256 * 1024;

const column = z.enum(LEAD_COLUMNS, { error: (issue) => `unknown column ${JSON.stringify(issue.input)}` });
const perColumn = <T extends z.ZodType>(value: T) => z.partialRecord(column, value);

/**
 * A list value as the rule set spells it, which matching cells take: no surrounding whitespace
 * (cells are compared trimmed), and none of the characters that make a record not plain (special-characters),
 * since the cell it replaces may come from a record the tokenizer found plain.
 */
const SPECIAL_CHARACTER = specialCharacterPattern();
const listValue = z
  .string()
  .min(1, 'must not be empty')
  .max(COLUMN_MAX_CHARS.notes, `must be at most ${COLUMN_MAX_CHARS.notes} characters`)
  .refine((v) => v === v.trim(), 'must not start or end with whitespace')
  .refine((v) => !SPECIAL_CHARACTER.test(v), 'must not contain a tab, line break or backslash');

const allowedList = z
  .array(listValue)
  .min(1, 'must list at least one value')
  .max(MAX_LIST_ENTRIES, `must list at most ${MAX_LIST_ENTRIES} values`)
  .superRefine((values, ctx) => {
    const seen = new Set<string>();
    values.forEach((value, i) => {
      const key = value.toLowerCase();
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `repeats ${JSON.stringify(value)} (compared ignoring case)`,
        });
      seen.add(key);
    });
  });

/** A whole domain in lower case: `example.com`, `mail.example.co.uk`. */
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
const domainList = z
  .array(z.string().regex(DOMAIN, 'must be a lower-case domain such as example.com'))
  .min(1, 'must list at least one domain')
  .max(MAX_LIST_ENTRIES, `must list at most ${MAX_LIST_ENTRIES} domains`);

/** RE2 syntax (linear-time: no backreferences or lookarounds), at most MAX_PATTERN_CHARS characters. */
const pattern = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_PATTERN_CHARS, `must be at most ${MAX_PATTERN_CHARS} characters`)
  .superRefine((text, ctx) => {
    try {
      RE2JS.compile(text);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid RE2 pattern (no backreferences or lookarounds): ${(error as Error).message}`,
      });
    }
  });

/** Lengths below the built-in limit only: a rule never relaxes the built-in rules. */
const maxLengths = z.partialRecord(column, z.number().int().min(1)).superRefine((limits, ctx) => {
  for (const [name, limit] of Object.entries(limits) as [LeadColumn, number][]) {
    if (limit > COLUMN_MAX_CHARS[name])
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `must be at most ${COLUMN_MAX_CHARS[name]}, the built-in limit (a rule can only add restrictions)`,
      });
  }
});

export const ruleSetSchema = z.strictObject({
  required: z
    .array(column)
    .max(LEAD_COLUMNS.length)
    .refine((list) => new Set(list).size === list.length, 'must not name a column twice')
    .optional(),
  max_length: maxLengths.optional(),
  allowed: perColumn(allowedList).optional(),
  pattern: perColumn(pattern).optional(),
  email_domains: z
    .union([z.strictObject({ allow: domainList }), z.strictObject({ deny: domainList })], {
      error: 'must be {"allow": [...]} or {"deny": [...]}, not both',
    })
    .optional(),
  phone: z.literal('valid', { error: 'must be "valid"' }).optional(),
});

export type RuleSet = z.output<typeof ruleSetSchema>;

/** What an import records about the rule set it applied (a file from the CLI has no version). */
export interface RuleSetRef {
  name: string;
  version: number | null;
}

/** A rule set as an import carries it: what to record, and the rules to apply. */
export interface LoadedRuleSet extends RuleSetRef {
  rules: RuleSet;
}

/** `email_domains.allow[3]: must be a lower-case domain such as example.com` for the first problem. */
export function describeRuleSetIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid rule set';
  const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`));
  const where = path.join('') || 'rule set';
  if (issue.code === 'unrecognized_keys')
    return `${where === 'rule set' ? '' : `${where}: `}unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  return `${where}: ${issue.message}`;
}

/** Validates a rule-set document; a bad one throws `INVALID_OPTIONS` naming the first problem's path. */
export function parseRuleSet(input: unknown, label = 'rule set'): RuleSet {
  const result = ruleSetSchema.safeParse(input);
  if (result.success) return result.data;
  throw new FileError('INVALID_OPTIONS', `Invalid ${label}: ${describeRuleSetIssue(result.error)}`, {
    detail: { issues: result.error.issues },
  });
}
