/**
 * `npm run import -- <file> [--strict] [--error-threshold R] [--on-duplicate skip|update|allow]
 *   [--encoding E] [--delimiter D] [--mapping JSON] [--phone-region CC] [--dry-run] [--match-on email|email_or_name]
 *   [--rule-set NAME [--uploader ID] | --rules FILE.json]`
 * Result JSON on stdout, logs and progress on stderr; exit 0 only for `succeeded`.
 */
import { parseArgs } from 'node:util';
import { FileError, LeadImportError } from '#core/contract/errors';
import { parseImportOptions } from '#core/contract/options';
import { engineLimits, readImportEnv, threadMinBytes } from '#io/import-config';
import { errorFields, log } from '#io/log';
import { importFile } from '#service/file-import';
import { cliPool } from './lib/cli-env.ts';
import { readRuleSetFile } from './lib/rule-set-file.ts';
import { progressBar } from './lib/progress-bar.ts';
import { escapeControls, terminalJson } from './lib/terminal-text.ts';

const USAGE =
  'usage: npm run import -- <file.csv> [--strict] [--error-threshold 0..1] [--on-duplicate skip|update|allow] [--encoding auto|utf-8|utf-16le|utf-16be|windows-1252] [--delimiter auto|,|;|tab||] [--mapping JSON] [--phone-region US] [--dry-run] [--match-on email|email_or_name] [--rule-set NAME [--uploader ID] | --rules FILE.json]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    strict: { type: 'boolean', default: false },
    'error-threshold': { type: 'string' },
    'on-duplicate': { type: 'string' },
    encoding: { type: 'string' },
    delimiter: { type: 'string' },
    mapping: { type: 'string' },
    'phone-region': { type: 'string' },
    'rule-set': { type: 'string' },
    uploader: { type: 'string' },
    rules: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    'match-on': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
const file = positionals[0];
if (values.help || !file) {
  process.stderr.write(USAGE + '\n');
  process.exit(values.help ? 0 : 2);
}

try {
  if (values['rule-set'] !== undefined && values.rules !== undefined)
    throw new FileError('INVALID_OPTIONS', 'Give either --rule-set NAME (stored) or --rules FILE.json, not both.');
  const env = readImportEnv();
  const options = parseImportOptions(
    Object.fromEntries(
      Object.entries({
        strict_mode: values.strict,
        error_threshold: values['error-threshold'],
        on_duplicate: values['on-duplicate'],
        encoding: values.encoding,
        delimiter: values.delimiter,
        mapping: values.mapping,
        phone_region: values['phone-region'] ?? env.DEFAULT_PHONE_REGION,
        rule_set: values['rule-set'],
        dry_run: values['dry-run'],
        match_on: values['match-on'],
      }).filter(([, v]) => v !== undefined),
    ),
  );
  const ruleSetFile = values.rules === undefined ? undefined : await readRuleSetFile(values.rules);
  // The uploader owns the stored rule sets --rule-set names, and is recorded in the history.
  const who = { uploader: values.uploader ?? process.env.USER ?? null, ruleSetFile };
  const pool = await cliPool();
  const bar = process.stderr.isTTY ? progressBar(process.stderr) : undefined;
  try {
    const result = await importFile(pool, file, options, engineLimits(env), threadMinBytes(env), bar?.update, who);
    bar?.done();
    process.stdout.write(terminalJson(result, 2) + '\n');
    process.exitCode = result.status === 'succeeded' ? 0 : 1;
  } finally {
    await pool.end();
  }
} catch (error) {
  if (error instanceof FileError && error.code === 'INVALID_OPTIONS') {
    process.stderr.write(`${escapeControls(error.message)}\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    log.error('import_failed', errorFields(error));
    process.exitCode = error instanceof LeadImportError ? 1 : 3;
  }
}
