import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '#core/contract/result';
import { getImport } from '#io/history';
import { putRuleSet } from '#io/rule-set-store';
import { csvText, HEADER, validLead } from '#test/csv';
import { countLeads } from '#test/database';
import { useImportHandler } from '#test/import-harness';
import { EVERY_KIND } from '#test/rule-sets';

const h = useImportHandler('rules');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lead-rules-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** An import through the real S3 event path, as `uploader` with the `rule-set` metadata the grant signs. */
async function importAs(uploader: string, body: string, ruleSet?: string): Promise<ImportResult> {
  const metadata = { uploader, ...(ruleSet ? { 'rule-set': ruleSet } : {}), 'error-threshold': '0.5' };
  return (await h.importCsv(body, metadata)).result;
}

const history = async (id: string) =>
  (
    await h.db.admin.query<{ rule_set_name: string | null; rule_set_version: number | null; status: string }>(
      'select rule_set_name, rule_set_version, status from lead_imports where id = $1',
      [id],
    )
  ).rows[0];

/** Ten leads that pass the built-in rules; rows 3, 5 and 8 break the example rule set's rules. */
function tenLeads(): string {
  const rows = Array.from({ length: 10 }, (_, i) => validLead(i));
  rows[1]![1] = 'Retail'; // row 3: industry not allowed (EVERY_KIND allows SaaS, Fintech, Health Care)
  rows[3]![5] = 'pat@yahoo.com'; // row 5: denied domain
  rows[3]![3] = 'about ten'; // row 5: pattern
  rows[6]![6] = '555-01'; // row 8: invalid phone
  for (const [i, row] of rows.entries()) if (![1, 6].includes(i)) row[1] = i % 2 ? 'saas' : 'Fintech';
  return csvText([HEADER, ...rows]);
}

describe('imports with a rule set', () => {
  it('turns a file that passes today into one with the rule errors, codes and counts expected', async () => {
    await putRuleSet(h.db.admin, 'alice', 'strict-emea', EVERY_KIND);
    const file = tenLeads();
    const plain = await importAs('alice', file);
    expect(plain).toMatchObject({ status: 'succeeded', failed_count: 0, imported_count: 10, rule_set: null });

    const ruled = await importAs('alice', tenLeads(), 'strict-emea');
    expect(ruled).toMatchObject({
      status: 'succeeded',
      total_leads: 10,
      failed_count: 3,
      imported_count: 7,
      rule_set: { name: 'strict-emea', version: 1 },
      error_code: null,
    });
    expect(ruled.error_details.map((e) => [e.row, e.column, e.code])).toEqual([
      [3, 'industry', 'RULE_NOT_ALLOWED'],
      [5, 'company_size', 'RULE_PATTERN'],
      [5, 'contact_email', 'RULE_EMAIL_DOMAIN'],
      [8, 'industry', 'RULE_NOT_ALLOWED'],
      [8, 'contact_phone', 'RULE_PHONE'],
    ]);
    expect(ruled.errors[0]).toBe(
      'Row 3: industry: is not one of the values the rule set allows: "SaaS", "Fintech", "Health Care"',
    );
    // Allowed values are stored as the list spells them.
    const { rows } = await h.db.admin.query<{ industry: string }>(
      'select distinct industry from leads where import_id = $1 order by 1',
      [ruled.import_id],
    );
    expect(rows.map((r) => r.industry)).toEqual(['Fintech', 'SaaS']);
    expect(await history(ruled.import_id)).toEqual({
      rule_set_name: 'strict-emea',
      rule_set_version: 1,
      status: 'succeeded',
    });
  });

  it('rejects a file the rules push over the error threshold, and history still names the rule set', async () => {
    await putRuleSet(h.db.admin, 'bob', 'must-have-title', { required: ['notes'] });
    const rows = Array.from({ length: 4 }, (_, i) => validLead(i));
    rows[0]![8] = 'has notes';
    const before = await countLeads(h.db);
    const result = await importAs('bob', csvText([HEADER, ...rows]), 'must-have-title');
    expect(result).toMatchObject({
      status: 'rejected',
      error_code: 'ERROR_THRESHOLD_EXCEEDED',
      failed_count: 3,
      imported_count: 0,
      rule_set: { name: 'must-have-title', version: 1 },
    });
    expect(result.error_details.every((e) => e.code === 'RULE_REQUIRED' && e.column === 'notes')).toBe(true);
    expect(await countLeads(h.db)).toBe(before);
    expect(await history(result.import_id)).toMatchObject({ rule_set_name: 'must-have-title', rule_set_version: 1 });
  });

  it('applies a new version to new imports only; history shows the version each import used', async () => {
    await putRuleSet(h.db.admin, 'carol', 'titles', { max_length: { contact_title: 3 } });
    const rows = [validLead(1), validLead(2)];
    rows[1]![7] = 'Chief Technology Officer';
    const first = await importAs('carol', csvText([HEADER, ...rows]), 'titles');
    expect(first).toMatchObject({ failed_count: 1, rule_set: { name: 'titles', version: 1 } });
    expect(first.error_details[0]).toMatchObject({ code: 'RULE_TOO_LONG', column: 'contact_title', row: 3 });

    await putRuleSet(h.db.admin, 'carol', 'titles', { max_length: { contact_title: 80 } });
    const again = [validLead(3), validLead(4)];
    again[1]![7] = 'Chief Technology Officer';
    const second = await importAs('carol', csvText([HEADER, ...again]), 'titles');
    expect(second).toMatchObject({ failed_count: 0, rule_set: { name: 'titles', version: 2 } });

    expect(await history(first.import_id)).toMatchObject({ rule_set_version: 1 });
    expect(await history(second.import_id)).toMatchObject({ rule_set_version: 2 });
    // What `npm run imports -- show` prints.
    expect(await getImport(h.db.admin, first.import_id)).toMatchObject({
      rule_set_name: 'titles',
      rule_set_version: 1,
    });
    const stored = await h.db.admin.query<{ result: ImportResult }>('select result from lead_imports where id = $1', [
      first.import_id,
    ]);
    expect(stored.rows[0]!.result.rule_set).toEqual({ name: 'titles', version: 1 });
  });

  it("fails with RULE_SET_NOT_FOUND, nothing read, for an unknown, deleted or another uploader's name", async () => {
    await putRuleSet(h.db.admin, 'dave', 'daves-rules', { phone: 'valid' });
    await putRuleSet(h.db.admin, 'dave', 'deleted-rules', { phone: 'valid' });
    await h.db.admin.query("update rule_sets set deleted_at = now() where owner = 'dave' and name = 'deleted-rules'");
    // Bytes the importer would refuse as binary if it read them: a RULE_SET_NOT_FOUND says it never did.
    const unreadable = `company_name\n${'\u0000'.repeat(64)}\n`;
    const before = await countLeads(h.db);
    for (const [uploader, name] of [
      ['erin', 'no-such-rules'],
      ['erin', 'daves-rules'],
      ['dave', 'deleted-rules'],
    ] as const) {
      const result = await importAs(uploader, unreadable, name);
      expect(result, `${uploader}/${name}`).toMatchObject({
        status: 'failed',
        error_code: 'RULE_SET_NOT_FOUND',
        total_leads: 0,
        rule_set: null,
        detected: { encoding: null, delimiter: null },
      });
      expect(result.message).toContain(`no rule set named ${name}; nothing was read`);
      expect(await history(result.import_id)).toEqual({
        rule_set_name: null,
        rule_set_version: null,
        status: 'failed',
      });
    }
    expect(await countLeads(h.db)).toBe(before);
  });
});

describe('npm run import with rules', () => {
  const cli = (...args: string[]) =>
    spawnSync('npx', ['tsx', 'scripts/import.ts', ...args], {
      cwd: process.cwd(),
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: h.db.adminUrl },
    });

  it('applies --rules FILE.json (recorded as file:<name>) and --rule-set NAME of --uploader', async () => {
    const csv = join(dir, 'leads.csv');
    await writeFile(csv, tenLeads());
    const rules = join(dir, 'emea.json');
    await writeFile(rules, JSON.stringify(EVERY_KIND));
    const fromFile = cli(csv, '--rules', rules, '--error-threshold', '0.5');
    expect(fromFile.status, fromFile.stderr).toBe(0);
    const fileResult = JSON.parse(fromFile.stdout) as ImportResult;
    expect(fileResult).toMatchObject({ failed_count: 3, rule_set: { name: 'file:emea.json', version: null } });

    await putRuleSet(h.db.admin, 'ops', 'stored', EVERY_KIND);
    const stored = cli(csv, '--rule-set', 'stored', '--uploader', 'ops', '--error-threshold', '0.5');
    expect(stored.status, stored.stderr).toBe(0);
    expect(JSON.parse(stored.stdout)).toMatchObject({ failed_count: 3, rule_set: { name: 'stored', version: 1 } });
  });

  it('exits 2 naming the problem for a bad rules file, and for both flags at once', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ requried: ['notes'] }));
    const out = cli(join(dir, 'leads.csv'), '--rules', bad);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('unknown key "requried"');
    const both = cli(join(dir, 'leads.csv'), '--rules', bad, '--rule-set', 'x');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('either --rule-set NAME (stored) or --rules FILE.json');
  });
});
