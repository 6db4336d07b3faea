import { beforeAll, describe, expect, it } from 'vitest';
import { cpuShareOf, engineWorkerAt, IMPORT_MEMORY_MB, LAMBDA_MB_PER_VCPU } from '../../infra/import-sizing.ts';
import { logicalId, resourcesOfType, synthStack, type Synthesized } from './synth.ts';

let s: Synthesized;
let envByFunction: Record<string, Record<string, unknown>>;
beforeAll(() => {
  s = synthStack();
  envByFunction = Object.fromEntries(
    Object.entries(resourcesOfType(s.template, 'AWS::Lambda::Function')).map(([id, fn]) => [
      id,
      (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
    ]),
  );
});

function envOf(construct: Parameters<typeof logicalId>[0]): Record<string, unknown> {
  const env = envByFunction[logicalId(construct)];
  if (!env) throw new Error(`function ${construct.node.path} not in template`);
  return env;
}

describe('function environments', () => {
  it('contain no secret-looking variable names', () => {
    for (const env of Object.values(envByFunction)) {
      for (const key of Object.keys(env)) expect(key).not.toMatch(/PASSWORD|SECRET(?!_ARN)/);
    }
  });

  it('never resolve a secret value into the environment', () => {
    for (const env of Object.values(envByFunction)) {
      const serialized = JSON.stringify(env);
      expect(serialized).not.toMatch(/resolve:secretsmanager|SecretString|password/i);
    }
  });

  it('pass secrets only as ARN references to the secret attachments', () => {
    const attachments = Object.keys(resourcesOfType(s.template, 'AWS::SecretsManager::SecretTargetAttachment'));
    for (const env of Object.values(envByFunction)) {
      for (const [key, value] of Object.entries(env)) {
        if (!key.endsWith('SECRET_ARN')) continue;
        expect(value).toEqual({ Ref: expect.any(String) });
        expect(attachments).toContain((value as { Ref: string }).Ref);
      }
    }
  });

  it('give the import function only the importer secret', () => {
    const env = envOf(s.stack.importPipeline.function);
    expect(env.DB_SECRET_ARN).toEqual({ Ref: logicalId(s.stack.database.importerSecret) });
    expect(env.DB_SSL).toBe('true');
    expect(env.IMPORTER_SECRET_ARN).toBeUndefined();
  });

  it("make every database function verify RDS's certificate against the runtime's Amazon CA bundle", () => {
    for (const fn of [
      s.stack.importPipeline.function,
      s.stack.importPipeline.finisher.function,
      s.stack.callerApi.function,
      s.stack.uploadApi.function,
      s.stack.migrations.function,
    ]) {
      expect(envOf(fn)).toMatchObject({ DB_SSL: 'true', NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' });
    }
  });

  it('parse on the main thread when the import function has one vCPU or less, in a worker above', () => {
    const memory = Number(
      resourcesOfType(s.template, 'AWS::Lambda::Function')[logicalId(s.stack.importPipeline.function)]?.Properties
        ?.MemorySize,
    );
    expect(memory).toBe(IMPORT_MEMORY_MB);
    expect(envOf(s.stack.importPipeline.function).ENGINE_WORKER).toBe(memory > LAMBDA_MB_PER_VCPU ? 'on' : 'off');
    expect([engineWorkerAt(cpuShareOf(1024)), engineWorkerAt(1), engineWorkerAt(cpuShareOf(3008))]).toEqual([
      'off',
      'off',
      'on',
    ]);
  });

  it('give the migrate function the master secret and every login role secret', () => {
    const env = envOf(s.stack.migrations.function);
    expect(env.DB_SECRET_ARN).toEqual({ Ref: logicalId(s.stack.database.masterSecret) });
    expect(env.IMPORTER_SECRET_ARN).toEqual({ Ref: logicalId(s.stack.database.importerSecret) });
    expect(env.API_SECRET_ARN).toEqual({ Ref: logicalId(s.stack.database.apiSecret) });
    expect(env.PRESIGN_SECRET_ARN).toEqual({ Ref: logicalId(s.stack.database.presignSecret) });
  });

  it('give the presign function the bucket and URL settings, and only the presign role secret', () => {
    const env = envOf(s.stack.uploadApi.function);
    expect(env).toMatchObject({
      BUCKET_NAME: { Ref: logicalId(s.stack.storage.bucket) },
      MAX_UPLOAD_BYTES: '104857600',
      UPLOAD_URL_TTL_SECONDS: '300',
      RESULT_URL_TTL_SECONDS: '3600',
      DB_STATEMENT_TIMEOUT_MS: '3000',
    });
    expect(Object.entries(env).filter(([key]) => key.includes('SECRET'))).toEqual([
      ['DB_SECRET_ARN', { Ref: logicalId(s.stack.database.presignSecret) }],
    ]);
  });
});
