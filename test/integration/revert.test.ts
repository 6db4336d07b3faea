import { describe, expect, it } from 'vitest';
import type { ImportResult } from '#core/contract/result';
import { getImport } from '#io/history';
import { LEADS_WRITE_LOCK } from '#io/duplicate-check';
import { revertImport, type RevertOutcome } from '#io/revert';
import { csvText, HEADER } from '#test/csv';
import { countLeads } from '#test/database';
import { useFileImports } from '#test/import-harness';

const files = useFileImports('revert');

type Lead = Partial<Record<(typeof HEADER)[number], string>>;
/** Imports the leads as the files.importer role through the same path as `npm run import`. */
async function importLeads(leads: Lead[], onDuplicate: 'skip' | 'update' | 'allow' = 'skip'): Promise<ImportResult> {
  const result = await files.importText(
    csvText([HEADER, ...leads.map((lead) => HEADER.map((c) => lead[c as keyof Lead] ?? ''))]),
    { on_duplicate: onDuplicate },
  );
  expect(result.status, result.message).toBe('succeeded');
  return result;
}

/** Every lead, every column, exactly as stored (jsonb keeps text byte for byte, timestamps to the microsecond). */
async function snapshot(): Promise<unknown[]> {
  const { rows } = await files.db.admin.query<{ row: unknown }>('select to_jsonb(l) as row from leads l order by id');
  return rows.map((r) => r.row);
}
const leadByEmail = async (email: string) =>
  (await files.db.admin.query('select to_jsonb(l) as row from leads l where contact_email = $1', [email])).rows[0]
    ?.row as Record<string, unknown> | undefined;
const statusOf = async (id: string) => (await getImport(files.db.admin, id))?.status;
const changesOf = async (id: string) =>
  (await files.db.admin.query<{ n: number }>('select count(*)::int as n from lead_changes where import_id = $1', [id]))
    .rows[0]!.n;
const revert = (id: string): Promise<RevertOutcome> => revertImport(files.db.admin, id);

let tag = 0;
/** E-mails unique to this test file run, so tests do not see each other's duplicates. */
const email = (name: string) => `${name}.${++tag}@example.com`;

describe('revert an import', () => {
  it('after a skip import, removes only its leads and leaves earlier leads untouched', async () => {
    const shared = email('shared');
    await importLeads([
      { company_name: 'Earlier Co', contact_email: shared, notes: 'first' },
      { company_name: 'Other Co', contact_email: email('other') },
    ]);
    const before = await snapshot();
    const b = await importLeads([
      { company_name: 'Later Co', contact_email: shared.toUpperCase(), notes: 'skipped' },
      { company_name: 'New One', contact_email: email('new1') },
      { company_name: 'New Two', contact_email: email('new2') },
    ]);
    expect(b).toMatchObject({ imported_count: 2, duplicate_count: 1 });

    const outcome = await revert(b.import_id);

    expect(outcome).toMatchObject({ outcome: 'reverted', import_id: b.import_id, removed_leads: 2, restored_leads: 0 });
    expect(await snapshot()).toEqual(before);
    expect(await countLeads(files.db, 'import_id = $1', [b.import_id])).toBe(0);
    const record = await getImport(files.db.admin, b.import_id);
    expect(record).toMatchObject({ status: 'reverted' });
    expect(Date.parse(record!.reverted_at!)).not.toBeNaN();
  });

  it('after an update import, puts the old values back byte for byte and removes the leads it created', async () => {
    const [e1, e2, e3] = [email('one'), email('two'), email('three')];
    await importLeads([
      {
        company_name: 'Ünïcode GmbH',
        contact_email: e1,
        industry: 'Café & Bäckerei',
        notes: 'line one\nline two\r\nline "three" 🚀',
        company_website: 'https://example.com/a',
      },
      { company_name: 'Plain Co', contact_email: e2, contact_phone: '(212) 555-0143' },
      { company_name: 'Untouched Co', contact_email: e3, notes: 'stays' },
    ]);
    // An earlier update import, so the lead carries an updated_at that must come back exactly.
    const earlier = await importLeads(
      [{ company_name: 'ignored', contact_email: e2, contact_title: 'CTO', notes: 'set by an earlier update\n✓' }],
      'update',
    );
    expect(earlier.updated_count).toBe(1);
    const before = await snapshot();
    expect((await leadByEmail(e2))!.updated_at).toEqual(expect.any(String));

    const b = await importLeads(
      [
        {
          company_name: 'New Name Ignored',
          contact_email: e1.toUpperCase(),
          industry: 'Software',
          notes: 'replaced\nnotes ✗',
          contact_phone: '+1 415 555 0100',
          company_website: 'www.other.org',
        },
        { company_name: 'x', contact_email: e2, contact_name: 'Zoë', notes: '' },
        { company_name: 'Brand New Co', contact_email: email('created'), notes: 'created by b' },
      ],
      'update',
    );
    expect(b).toMatchObject({ imported_count: 1, updated_count: 2 });
    const after = await snapshot();
    expect(after).not.toEqual(before);
    expect((await leadByEmail(e1))!.notes).toBe('replaced\nnotes ✗');

    const outcome = await revert(b.import_id);

    expect(outcome).toMatchObject({ outcome: 'reverted', removed_leads: 1, restored_leads: 2 });
    expect(await snapshot()).toEqual(before);
    expect(await changesOf(b.import_id)).toBe(0);
    expect(await statusOf(b.import_id)).toBe('reverted');
    // The earlier update import did not block the revert, and can itself be reverted afterwards.
    expect(await changesOf(earlier.import_id)).toBe(1);
    expect(await revert(earlier.import_id)).toMatchObject({ outcome: 'reverted', removed_leads: 0, restored_leads: 1 });
    expect((await leadByEmail(e2))!).toMatchObject({ updated_at: null, contact_title: null, notes: null });
  });

  it('is refused, changing nothing, while a later import has changed the same leads', async () => {
    const [e1, e2, e3] = [email('a1'), email('a2'), email('a3')];
    const a = await importLeads([
      { company_name: 'A1', contact_email: e1 },
      { company_name: 'A2', contact_email: e2 },
      { company_name: 'A3', contact_email: e3 },
    ]);
    const p = await importLeads([{ company_name: 'P', contact_email: e3, notes: 'by p' }], 'update');
    const b = await importLeads(
      [
        { company_name: 'B', contact_email: e2, notes: 'by b' },
        { company_name: 'B', contact_email: e3, notes: 'by b too' },
      ],
      'update',
    );
    const before = await snapshot();
    const [a2, a3] = [Number((await leadByEmail(e2))!.id), Number((await leadByEmail(e3))!.id)];

    const refusedA = await revert(a.import_id);
    const refusedP = await revert(p.import_id);

    // A created leads B changed; P updated a lead B changed after it.
    expect(refusedA).toMatchObject({
      outcome: 'refused',
      reason: 'LATER_IMPORT_CHANGED_LEADS',
      status: 'succeeded',
      conflict_count: 3,
    });
    const conflicts = refusedA.outcome === 'refused' ? refusedA.conflicts : [];
    expect(conflicts).toHaveLength(3);
    expect(conflicts).toEqual(
      expect.arrayContaining([
        { lead_id: a2, import_id: b.import_id },
        { lead_id: a3, import_id: b.import_id },
        { lead_id: a3, import_id: p.import_id },
      ]),
    );
    expect(refusedA.message).toContain(b.import_id);
    expect(refusedP).toMatchObject({
      outcome: 'refused',
      reason: 'LATER_IMPORT_CHANGED_LEADS',
      conflicts: [{ lead_id: a3, import_id: b.import_id }],
    });
    expect(await snapshot()).toEqual(before);
    expect([await statusOf(a.import_id), await statusOf(p.import_id), await statusOf(b.import_id)]).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(await changesOf(b.import_id)).toBe(2);

    // Once the later imports are reverted (newest first), the first one can go too.
    expect(await revert(b.import_id)).toMatchObject({ outcome: 'reverted', restored_leads: 2 });
    expect(await revert(a.import_id)).toMatchObject({
      outcome: 'refused',
      conflicts: [{ lead_id: a3, import_id: p.import_id }],
    });
    expect(await revert(p.import_id)).toMatchObject({ outcome: 'reverted', restored_leads: 1 });
    expect(await revert(a.import_id)).toMatchObject({ outcome: 'reverted', removed_leads: 3, restored_leads: 0 });
    expect(await countLeads(files.db, 'contact_email = any($1)', [[e1, e2, e3]])).toBe(0);
  });

  it('refuses to restore a lead that no longer exists', async () => {
    const e1 = email('gone');
    await importLeads([{ company_name: 'Gone Co', contact_email: e1 }]);
    const b = await importLeads([{ company_name: 'B', contact_email: e1, notes: 'update' }], 'update');
    await files.db.admin.query('delete from leads where contact_email = $1', [e1]);
    const before = await snapshot();

    const outcome = await revert(b.import_id);

    expect(outcome).toMatchObject({ outcome: 'refused', reason: 'UPDATED_LEAD_MISSING', conflict_count: 1 });
    expect(await snapshot()).toEqual(before);
    expect(await statusOf(b.import_id)).toBe('succeeded');
  });

  it('is a no-op the second time', async () => {
    const b = await importLeads([{ company_name: 'Twice Co', contact_email: email('twice') }]);
    expect(await revert(b.import_id)).toMatchObject({ outcome: 'reverted', removed_leads: 1 });
    const first = await getImport(files.db.admin, b.import_id);
    const before = await snapshot();

    const again = await revert(b.import_id);

    expect(again).toMatchObject({
      outcome: 'already_reverted',
      import_id: b.import_id,
      reverted_at: first!.reverted_at,
    });
    expect(again.message).toContain('already reverted');
    expect(await snapshot()).toEqual(before);
    expect(await getImport(files.db.admin, b.import_id)).toEqual(first);
  });

  it('has nothing to revert for rejected and failed imports, and does not know unknown ids', async () => {
    const rejected = await files.importText(
      csvText([HEADER, ['Bad', '', '', '', '', 'bob@', '', '', '']]),
      { strict_mode: true },
      'rejected.csv',
    );
    const failed = await files.importText('notes\nno company column\n', {}, 'failed.csv');

    expect(await revert(rejected.import_id)).toMatchObject({ outcome: 'nothing_to_revert', status: 'rejected' });
    expect(await revert(failed.import_id)).toMatchObject({ outcome: 'nothing_to_revert', status: 'failed' });
    expect([await statusOf(rejected.import_id), await statusOf(failed.import_id)]).toEqual(['rejected', 'failed']);
    expect(await revert('00000000-0000-4000-8000-000000000000')).toMatchObject({ outcome: 'not_found' });
    expect(await revert('nope')).toMatchObject({ outcome: 'not_found' });
  });

  it('waits for the write lock imports take while resolving duplicates', async () => {
    const b = await importLeads([{ company_name: 'Locked Co', contact_email: email('locked') }]);
    const holder = await files.db.admin.connect();
    try {
      await holder.query('begin');
      await holder.query('select pg_advisory_xact_lock($1)', [LEADS_WRITE_LOCK]);

      const pending = revert(b.import_id);
      await waitForAdvisoryLockWaiter();
      expect(await countLeads(files.db, 'import_id = $1', [b.import_id])).toBe(1);
      await holder.query('commit');

      expect(await pending).toMatchObject({ outcome: 'reverted', removed_leads: 1 });
    } finally {
      holder.release();
    }
  });

  it('runs from the CLI: JSON summary on stdout, exit 1 when refused', async () => {
    const e1 = email('cli');
    const a = await importLeads([{ company_name: 'Cli Co', contact_email: e1 }]);
    const b = await importLeads([{ company_name: 'Cli Co', contact_email: e1, notes: 'cli update' }], 'update');

    const refused = cli('revert', a.import_id);
    const done = cli('revert', b.import_id);

    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      import_id: a.import_id,
      status: 'succeeded',
      removed_leads: 0,
      restored_leads: 0,
      refused: 'LATER_IMPORT_CHANGED_LEADS',
    });
    expect(refused.stderr).toContain(`Cannot revert import ${a.import_id}`);
    expect(done.status, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({
      import_id: b.import_id,
      status: 'reverted',
      removed_leads: 0,
      restored_leads: 1,
      message: expect.any(String),
    });
  });
});

/** Until another session waits on an advisory lock (bounded, so a broken revert fails the test instead of hanging). */
async function waitForAdvisoryLockWaiter(): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await files.db.admin.query<{ n: number }>(
      `select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`,
    );
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the revert never waited for LEADS_WRITE_LOCK');
}

const cli = files.cli;
