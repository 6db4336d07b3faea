import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { FileError } from '#core/contract/errors';
import { type LoadedRuleSet, MAX_RULE_SET_BYTES, parseRuleSet } from '#core/contract/rule-set';

/**
 * `--rules FILE.json`: a rule set from disk, checked like a stored one. It is recorded as
 * `file:<name>` with no version (a stored name never holds `:` or `.`, so the two cannot be confused).
 */
export async function readRuleSetFile(path: string): Promise<LoadedRuleSet> {
  const label = `rule set file ${path}`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FileError('INVALID_OPTIONS', `Cannot read ${label}: ${(error as Error).message}`);
  }
  if (Buffer.byteLength(text) > MAX_RULE_SET_BYTES)
    throw new FileError('INVALID_OPTIONS', `The ${label} is larger than ${MAX_RULE_SET_BYTES} bytes.`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new FileError('INVALID_OPTIONS', `The ${label} is not JSON: ${(error as Error).message}`);
  }
  return { name: `file:${basename(path)}`, version: null, rules: parseRuleSet(document, label) };
}
