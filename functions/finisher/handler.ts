import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type pg from 'pg';
import { parseFailedInvocation } from '#core/contract/failed-event';
import { importMetrics } from '#core/contract/metrics';
import { connectionConfig, createPool } from '#io/database';
import { readImportEnv } from '#io/import-config';
import { emitMetrics, errorFields, log } from '#io/log';
import { createS3Client } from '#io/s3';
import { finishFailedInvocation, type FinishDeps } from '#service/finish-import';

let deps: FinishDeps | undefined;
function instanceDeps(): FinishDeps {
  if (deps) return deps;
  const env = readImportEnv();
  let pool: Promise<pg.Pool> | undefined;
  deps = {
    s3: createS3Client({ endpoint: env.S3_ENDPOINT }),
    defaultPhoneRegion: env.DEFAULT_PHONE_REGION,
    pool: () => {
      pool ??= connectionConfig(env).then((config) => createPool(config, 1));
      pool.catch(() => (pool = undefined));
      return pool;
    },
  };
  return deps;
}

/**
 * The import function's on-failure queue -> one finished import per S3 record Lambda gave up on.
 * A record that fails to finish (S3 or the database down) is reported back alone and redelivered.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records ?? []) {
    const invocation = parseFailedInvocation(message.body);
    if (!invocation) {
      log.warn('failed_event_ignored', { message_id: message.messageId, reason: 'not an S3 invocation record' });
      continue;
    }
    try {
      for (const outcome of await finishFailedInvocation(instanceDeps(), invocation)) {
        if (outcome.action === 'finished') emitMetrics(importMetrics(outcome.result));
        log.info('import_given_up', {
          key: outcome.key,
          action: outcome.action,
          condition: invocation.condition,
          attempts: invocation.attempts,
          ...(outcome.action === 'finished'
            ? { import_id: outcome.result.import_id, last_error_code: outcome.result.details?.last_error_code }
            : {}),
        });
      }
    } catch (error) {
      log.error('finish_failed', { message_id: message.messageId, ...errorFields(error) });
      failures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures: failures };
}
