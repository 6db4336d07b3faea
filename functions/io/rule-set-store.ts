/**
 * A caller's rule sets in PostgreSQL. Every query names the owner, so another caller's rule set
 * reads exactly like a missing one. Versions are only ever added; deletion marks them deleted.
 * Database trouble comes out as an InfraError (DATABASE_UNAVAILABLE, LOCK_TIMEOUT, STATEMENT_TIMEOUT, DATABASE_ERROR).
 */
import type pg from 'pg';
import { FileError } from '#core/contract/errors';
import { type LoadedRuleSet, parseRuleSet, type RuleSet } from '#core/contract/rule-set';
import { databaseCall } from './database-errors.ts';
import { inTransaction } from './transaction.ts';

type Queryable = pg.Pool | pg.ClientBase;

/** One version of a rule set as the API answers it. */
export interface StoredRuleSet {
  name: string;
  version: number;
  rules: RuleSet;
  created_at: string;
}

/** One line of `GET /rule-sets`: the current version of each name. */
export type RuleSetSummary = Omit<StoredRuleSet, 'rules'>;

/** Advisory-lock class of rule-set writes (two-key form: its own space beside the one-key locks). */
const RULE_SET_LOCK_CLASS = 18;

const iso = (value: Date | string) => (value instanceof Date ? value.toISOString() : value);

/** The current (highest, not deleted) version of the owner's rule set, or null. */
export async function currentRuleSet(db: Queryable, owner: string, name: string): Promise<StoredRuleSet | null> {
  const { rows } = await databaseCall('reading a rule set', () =>
    db.query<{ name: string; version: number; document: RuleSet; created_at: Date }>(
      `select name, version, document, created_at from rule_sets
       where owner = $1 and name = $2 and deleted_at is null order by version desc limit 1`,
      [owner, name],
    ),
  );
  const row = rows[0];
  return row ? { name: row.name, version: row.version, rules: row.document, created_at: iso(row.created_at) } : null;
}

/**
 * Whether the owner has a (not deleted) rule set of that name: the grant's check. It calls
 * rule_set_exists (migration 007), the presign role's one right: a yes or no for this owner and name,
 * no row of the table.
 */
export async function ruleSetExists(db: Queryable, owner: string, name: string): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>('select public.rule_set_exists($1, $2) as found', [owner, name]);
  return rows[0]?.found === true;
}

/**
 * The grant's question over a pool opened at the first call; database trouble becomes a typed
 * InfraError (DATABASE_UNAVAILABLE, LOCK_TIMEOUT, STATEMENT_TIMEOUT, DATABASE_ERROR) the presign handler can map.
 */
export function ruleSetLookup(pool: () => Promise<pg.Pool>): (owner: string, name: string) => Promise<boolean> {
  return (owner, name) => databaseCall('looking up a rule set', async () => ruleSetExists(await pool(), owner, name));
}

/** The owner's rule sets, current versions, by name. */
export async function listRuleSets(db: Queryable, owner: string): Promise<RuleSetSummary[]> {
  const { rows } = await databaseCall('listing rule sets', () =>
    db.query<{ name: string; version: number; created_at: Date }>(
      `select distinct on (name) name, version, created_at from rule_sets
       where owner = $1 and deleted_at is null order by name, version desc`,
      [owner],
    ),
  );
  return rows.map((r) => ({ name: r.name, version: r.version, created_at: iso(r.created_at) }));
}

/**
 * Adds the next version (numbering goes on after a deletion, so a name and version always mean one
 * document). Writers of one name take turns on an advisory lock, so two PUTs never pick one number.
 */
export async function putRuleSet(pool: pg.Pool, owner: string, name: string, rules: RuleSet): Promise<StoredRuleSet> {
  return inTransaction(pool, 'saving a rule set', async (client) => {
    await client.query('select pg_advisory_xact_lock($1, hashtext($2))', [RULE_SET_LOCK_CLASS, `${owner}/${name}`]);
    const { rows } = await client.query<{ version: number; created_at: Date }>(
      `insert into rule_sets (owner, name, version, document)
       select $1, $2, coalesce(max(version), 0) + 1, $3 from rule_sets where owner = $1 and name = $2
       returning version, created_at`,
      [owner, name, JSON.stringify(rules)],
    );
    const row = rows[0]!;
    return { name, version: row.version, rules, created_at: iso(row.created_at) };
  });
}

/** Marks every version of the name deleted; false when the owner has no such rule set. */
export async function deleteRuleSet(db: Queryable, owner: string, name: string): Promise<boolean> {
  const { rowCount } = await databaseCall('deleting a rule set', () =>
    db.query('update rule_sets set deleted_at = now() where owner = $1 and name = $2 and deleted_at is null', [
      owner,
      name,
    ]),
  );
  return (rowCount ?? 0) > 0;
}

/**
 * The import's first step when it names a rule set: the uploader's current version, read inside the
 * import's transaction before any byte of the file. Unknown (or another uploader's, or deleted):
 * `RULE_SET_NOT_FOUND`, a final failure.
 */
export async function loadRuleSetForImport(
  db: Queryable,
  uploader: string | null,
  name: string,
): Promise<LoadedRuleSet> {
  const stored = uploader === null ? null : await currentRuleSet(db, uploader, name);
  if (!stored)
    throw new FileError(
      'RULE_SET_NOT_FOUND',
      `The uploader has no rule set named ${name}; nothing was read. Create it with PUT /rule-sets/${name} or choose another.`,
      { detail: { rule_set: name } },
    );
  // Stored documents were checked when saved; checking again costs microseconds and keeps the engine safe.
  return { name, version: stored.version, rules: parseRuleSet(stored.rules, `rule set ${name}`) };
}
