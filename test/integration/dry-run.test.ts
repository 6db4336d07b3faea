import { describe, expect, it } from 'vitest';
import type { ImportResult } from '#core/contract/result';
import { revertImport } from '#io/revert';
import { csvText } from '#test/csv';
import { countImports } from '#test/database';
import { lambdaContext, s3Event } from '#test/events';
import { useImportHandler } from '#test/import-harness';
import { TEST_BUCKET } from '#test/s3';

const h = useImportHandler('dry-run');
const HEAD = ['Company', 'Contact', 'Email', 'Phone', 'Notes'];

/** Every lead and every recorded change, exactly as stored. */
async function tables(): Promise<{ leads: unknown[]; changes: unknown[] }> {
  const leads = await h.db.admin.query('select to_jsonb(l) as row from leads l order by id');
  const changes = await h.db.admin.query('select to_jsonb(c) as row from lead_changes c order by lead_id, import_id');
  return { leads: leads.rows, changes: changes.rows };
}

const counts = (r: ImportResult) => ({
  status: r.status,
  total_leads: r.total_leads,
  imported_count: r.imported_count,
  updated_count: r.updated_count,
  duplicate_count: r.duplicate_count,
  failed_count: r.failed_count,
  duplicates: r.duplicates,
  error_details: r.error_details,
});

describe('dry run', () => {
  it.each(['skip', 'update', 'allow'])(
    'under %s: same counts as the real import that follows, leads unchanged, history shows both',
    async (policy) => {
      // Prepare: leads the file duplicates by e-mail and by name.
      const tag = `${policy}-${Date.now()}`;
      await h.importCsv(
        csvText([
          HEAD,
          [`Seed ${tag} Inc`, 'Sam Seed', `sam.${tag}@seed.example`, '', 'seed'],
          [`Seed ${tag} Inc`, 'Nora Noemail', '', '', 'seed'],
        ]),
      );
      const file = csvText([
        HEAD,
        [`Seed ${tag} LLC`, 'Sam Seed', `SAM.${tag}@seed.example`, '(212) 555-0143', 'by e-mail'],
        [`SEED ${tag}`, 'nora noemail', '', '', 'by name'],
        [`New ${tag}`, 'Ned New', `ned.${tag}@new.example`, '', ''],
        [`New ${tag}`, 'Ned New', `ned.${tag}@new.example`, '', 'in the file'],
        [`Bad ${tag}`, 'Bad Row', 'not-an-email', '', ''],
      ]);
      const metadata = { 'on-duplicate': policy, 'match-on': 'email_or_name', 'error-threshold': '0.5' };
      const before = await tables();
      // Act
      const dry = await h.importCsv(file, { ...metadata, 'dry-run': 'true' });
      const afterDry = await tables();
      const real = await h.importCsv(file, metadata);
      // Assess
      expect(dry.result.dry_run).toBe(true);
      expect(real.result.dry_run).toBe(false);
      expect(afterDry).toEqual(before);
      expect(counts(dry.result)).toEqual(counts(real.result));
      expect(dry.result).toMatchObject({
        status: 'succeeded',
        total_leads: 5,
        failed_count: 1,
        duplicate_count: policy === 'allow' ? 0 : 3,
        updated_count: policy === 'update' ? 2 : 0,
      });
      expect(dry.result.message).toMatch(/^Dry run, nothing kept: /);
      expect(await h.s3.getText(dry.result.error_report_key!)).toContain('not-an-email');
      const history = await h.db.admin.query(
        'select id, dry_run, status, imported_count, updated_count, duplicate_count from lead_imports where id = any($1) order by started_at',
        [[dry.result.import_id, real.result.import_id]],
      );
      const row = {
        status: 'succeeded',
        imported_count: dry.result.imported_count,
        updated_count: dry.result.updated_count,
      };
      expect(history.rows).toEqual([
        { id: dry.result.import_id, dry_run: true, duplicate_count: dry.result.duplicate_count, ...row },
        { id: real.result.import_id, dry_run: false, duplicate_count: dry.result.duplicate_count, ...row },
      ]);
    },
  );

  it('reports a rejection as the real import would, with its rejected-rows file', async () => {
    const file = csvText([HEAD, ['Ok Co', 'Ok', 'ok@ok.example', '', ''], ['Bad Co', 'Bad', 'nope', '', '']]);
    const { result } = await h.importCsv(file, { 'dry-run': 'true' });
    expect(result).toMatchObject({ status: 'rejected', dry_run: true, error_code: 'ERROR_THRESHOLD_EXCEEDED' });
    expect(await h.s3.getText(result.error_report_key!)).toContain('nope');
  });

  it('cannot be reverted, and the refusal changes nothing', async () => {
    const { result } = await h.importCsv(csvText([HEAD, ['Revert Dry Co', 'Rae', '', '', '']]), { 'dry-run': 'yes' });
    const before = await tables();
    const outcome = await revertImport(h.db.admin, result.import_id);
    expect(outcome).toMatchObject({ outcome: 'refused', reason: 'DRY_RUN' });
    expect(outcome.message).toContain('dry run');
    expect(await tables()).toEqual(before);
    const status = await h.db.admin.query('select status from lead_imports where id = $1', [result.import_id]);
    expect(status.rows[0]).toEqual({ status: 'succeeded' });
  });

  it('is not a replay of the real upload of the same bytes to the same key (same ETag), nor the other way round', async () => {
    // Prepare: an unversioned bucket, so both objects have the same ETag.
    const key = `uploads/dry-run/same-key/leads.csv`;
    const body = csvText([HEAD, ['Same Bytes Co', 'Sue Same', 'sue@same.example', '', '']]);
    const importAt = async (metadata: Record<string, string>) => {
      await h.s3.put(key, body, metadata);
      await h.handler(s3Event(TEST_BUCKET, key), lambdaContext());
      return (await h.s3.getJson<ImportResult>(`${key}.result.json`))!;
    };
    // Act
    const dry = await importAt({ 'dry-run': 'true' });
    const real = await importAt({});
    const replayed = await importAt({});
    // Assess
    expect(dry).toMatchObject({ dry_run: true, imported_count: 1 });
    expect(real).toMatchObject({ dry_run: false, imported_count: 1 });
    expect(real.import_id).not.toBe(dry.import_id);
    expect(real.source.etag).toBe(dry.source.etag);
    expect(replayed.import_id).toBe(real.import_id);
    expect(await countImports(h.db, 'source_key = $1', [key])).toBe(2);
    const leads = await h.db.admin.query('select import_id from leads where contact_email = $1', ['sue@same.example']);
    expect(leads.rows).toEqual([{ import_id: real.import_id }]);
  });
});
