import type pg from 'pg';
import { deadlineExceeded, type Deadline } from '#core/contract/deadline';
import type { DuplicatePolicy } from '#core/contract/options';
import type { DuplicateOutcome, ImportResult } from '#core/contract/result';
import type { LoadedRuleSet } from '#core/contract/rule-set';
import type { CopyPart } from '#core/copy/copy-output';
import { copyLeads } from './copy-leads.ts';
import { type DuplicateCheck, resolveDuplicates } from './duplicate-check.ts';
import { type ClaimOutcome, claimImport, type ImportClaim, leadIdFloor, recordOutcome } from './import-claim.ts';
import { loadRuleSetForImport } from './rule-set-store.ts';
import { inTransaction } from './transaction.ts';

const QUERY_CANCELED = '57014';

/**
 * One import's transaction, as named steps: claim the object, open the leads (a savepoint and the
 * lead id floor), COPY, resolve duplicates, discard the leads of a failed file, record the outcome.
 * The whole of it commits when the work passed to `withImportTransaction` returns and rolls back
 * when it throws. Every wait honours the import's one Deadline.
 */
export class ImportTransaction {
  readonly #client: pg.PoolClient;
  readonly #deadline: Deadline;
  #importId = '';
  #floor = 0;

  constructor(client: pg.PoolClient, deadline: Deadline) {
    this.#client = client;
    this.#deadline = deadline;
  }

  /** Claims the object; a concurrent claim of the same object waits until this transaction ends. */
  claim(claim: ImportClaim): Promise<ClaimOutcome> {
    return claimImport(this.#client, claim);
  }

  /** Opens the savepoint a failed file rolls back to, and records the lead id floor. */
  async openLeads(importId: string): Promise<void> {
    this.#deadline.check();
    await this.#client.query('savepoint leads');
    this.#importId = importId;
    this.#floor = await leadIdFloor(this.#client, importId);
  }

  /** The uploader's current version of a rule set, read in this transaction (unknown: RULE_SET_NOT_FOUND). */
  loadRuleSet(uploader: string | null, name: string): Promise<LoadedRuleSet> {
    return loadRuleSetForImport(this.#client, uploader, name);
  }

  /** COPYs the leads; the deadline aborts it even while it waits on the database or the source. */
  async copy(source: AsyncIterable<CopyPart>): Promise<number> {
    try {
      return await copyLeads(this.#client, source, this.#deadline.signal);
    } catch (error) {
      throw this.#deadline.signal.aborted ? this.#deadline.signal.reason : error;
    }
  }

  async resolveDuplicates(
    copied: number,
    policy: DuplicatePolicy,
    listLimit: number,
    checks: readonly DuplicateCheck[],
  ): Promise<DuplicateOutcome> {
    this.#deadline.check();
    const left = this.#deadline.remainingMs();
    if (left !== undefined) await this.#client.query(`set local statement_timeout = ${left}`);
    try {
      return await resolveDuplicates(this.#client, this.#importId, this.#floor, copied, policy, listLimit, checks);
    } catch (error) {
      throw left !== undefined && (error as { code?: string }).code === QUERY_CANCELED ? deadlineExceeded() : error;
    }
  }

  /** A final problem (bad file, rejection, deadline): no lead survives, the history row stays. */
  async discardLeads(): Promise<void> {
    await this.#client.query('rollback to savepoint leads');
  }

  recordOutcome(result: ImportResult): Promise<void> {
    return recordOutcome(this.#client, result);
  }
}

/** Runs `work` in one import transaction: COMMIT when it returns, ROLLBACK when it throws. */
export function withImportTransaction<T>(
  pool: pg.Pool,
  deadline: Deadline,
  work: (tx: ImportTransaction) => Promise<T>,
): Promise<T> {
  return inTransaction(pool, 'importing', (client) => work(new ImportTransaction(client, deadline)));
}
