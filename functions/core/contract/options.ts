import { z } from 'zod';
import { LEAD_COLUMNS } from './columns.ts';
import { FileError } from './errors.ts';
import { RULE_SET_NAME } from './rule-set-name.ts';

export const ENCODINGS = ['auto', 'utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;
export type EncodingOption = (typeof ENCODINGS)[number];
export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];
export const DUPLICATE_POLICIES = ['skip', 'update', 'allow'] as const;
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];
/** What makes a row a duplicate: its e-mail, or (rows without one) its company and contact name. */
export const MATCH_KEYS = ['email', 'email_or_name'] as const;
export type MatchOn = (typeof MATCH_KEYS)[number];

const booleanText = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes'),
]);

const delimiterText = z
  .string()
  .transform((v) => (v === 'tab' || v === '\\t' ? '\t' : v === 'auto' ? 'auto' : v))
  .pipe(z.enum(['auto', ...DELIMITERS]));

/** Explicit header -> column mapping; `mapping` wins over synonym guesses. */
const mappingSchema = z.record(z.string().min(1), z.enum([...LEAD_COLUMNS, 'ignore']));

export const importOptionsSchema = z
  .object({
    strict_mode: booleanText.default(false),
    error_threshold: z
      .union([
        z.number(),
        z
          .string()
          .trim()
          .regex(/^(?:\d+\.?\d*|\.\d+)$/, 'must be a number between 0 and 1')
          .transform(Number),
      ])
      .pipe(z.number().min(0).max(1))
      .default(0.1),
    on_duplicate: z.enum(DUPLICATE_POLICIES).default('skip'),
    encoding: z
      .string()
      .transform((v) =>
        v
          .toLowerCase()
          .replace(/^utf8$/, 'utf-8')
          .replace(/^(cp1252|latin1|iso-8859-1)$/, 'windows-1252'),
      )
      .pipe(z.enum(ENCODINGS))
      .default('auto'),
    delimiter: delimiterText.default('auto'),
    mapping: z
      .union([
        z.string().transform((text, ctx) => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            ctx.addIssue({ code: 'custom', message: 'mapping must be a JSON object' });
            return z.NEVER;
          }
        }),
        z.record(z.string(), z.string()),
      ])
      .pipe(mappingSchema)
      .optional(),
    phone_region: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'phone_region must be a two-letter country code')
      .transform((v) => v.toUpperCase())
      .default('US'),
    /** The uploader's stored rule set, by name; the import loads its current version at its start. */
    rule_set: z
      .string()
      .regex(RULE_SET_NAME, 'rule_set must be 1 to 64 lower-case letters, digits or hyphens')
      .optional(),
    /** Run the whole import, duplicate checks included, then roll the leads back. */
    dry_run: booleanText.default(false),
    match_on: z.enum(MATCH_KEYS).default('email'),
  })
  .strict();

export type ImportOptions = z.output<typeof importOptionsSchema>;
export type ImportOptionsInput = z.input<typeof importOptionsSchema>;

export const OPTION_NAMES = Object.keys(importOptionsSchema.shape) as (keyof ImportOptions)[];

/**
 * Keys that name JavaScript's object machinery. Copied into a plain object, `__proto__` swaps the
 * prototype instead of adding a key, so it would vanish silently (an option dropped, a mapping
 * stored as `{}`); all three are refused as option and mapping keys, whatever the channel.
 */
export const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** The first reserved key among the options' own keys or the mapping's (object or JSON text), if any. */
export function reservedOptionKey(input: Record<string, unknown>): string | undefined {
  const own = Object.keys(input).find((key) => RESERVED_KEYS.includes(key));
  if (own !== undefined) return own;
  let mapping = input.mapping;
  if (typeof mapping === 'string') {
    try {
      mapping = JSON.parse(mapping) as unknown;
    } catch {
      return undefined; // not JSON: the schema refuses it with its own message
    }
  }
  if (typeof mapping !== 'object' || mapping === null) return undefined;
  const key = Object.keys(mapping).find((k) => RESERVED_KEYS.includes(k));
  return key === undefined ? undefined : `mapping.${key}`;
}

/** The INVALID_OPTIONS failure for a reserved key (`mapping.constructor` names a mapping key). */
export const reservedKeyError = (key: string): FileError =>
  new FileError(
    'INVALID_OPTIONS',
    `Invalid import option ${key}: "${key.replace(/^mapping\./, '')}" is a reserved name`,
    {
      detail: { key },
    },
  );

/** Validates options from any source; a bad option is a file-level failure naming the option. */
export function parseImportOptions(input: Record<string, unknown>): ImportOptions {
  const reserved = reservedOptionKey(input);
  if (reserved !== undefined) throw reservedKeyError(reserved);
  const result = importOptionsSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.join('.') || (issue && 'keys' in issue ? String(issue.keys) : 'options');
  throw new FileError('INVALID_OPTIONS', `Invalid import option ${name}: ${issue?.message ?? 'invalid'}`, {
    detail: { issues: result.error.issues },
  });
}

/** The encoding the decoder found (or was told): the names the result JSON reports. */
export type DetectedEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * S3 user metadata uses kebab-case (`x-amz-meta-strict-mode`); options use snake_case.
 * Unrelated metadata (for example from other tools) is ignored rather than refused.
 */
export function optionsFromMetadata(
  metadata: Record<string, string> | undefined,
  defaults: Partial<ImportOptionsInput> = {},
): ImportOptions {
  const input: Record<string, unknown> = { ...defaults };
  const known = new Set<string>(OPTION_NAMES);
  for (const [key, value] of Object.entries(metadata ?? {})) {
    const name = key
      .toLowerCase()
      .replace(/^x-amz-meta-/, '')
      .replaceAll('-', '_');
    if (RESERVED_KEYS.includes(name)) throw reservedKeyError(name);
    if (known.has(name)) input[name] = value;
  }
  return parseImportOptions(input);
}

// Options as S3 metadata: in a module without zod, so the upload page can measure its budget too.
export { optionsToMetadata } from './metadata.ts';
