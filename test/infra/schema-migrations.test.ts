import { beforeAll, describe, expect, it } from 'vitest';
import { hashDirectories } from '../../infra/migrations-hash.ts';
import { REPO_ROOT } from '../../infra/paths.ts';
import { MIGRATIONS_SOURCE_DIR } from '../../infra/constructs/schema-migrations.ts';
import { logicalId, resourcesOfType, synthStack, type CfnResource, type Synthesized } from './synth.ts';

let s: Synthesized;
let migrations: CfnResource;
beforeAll(() => {
  s = synthStack();
  const resources = Object.values(resourcesOfType(s.template, 'Custom::LeadImportSchemaMigrations'));
  expect(resources).toHaveLength(1);
  migrations = resources[0] as CfnResource;
});

describe('schema migrations custom resource', () => {
  it('is served by a provider whose onEvent handler is the migrate function', () => {
    const serviceToken = migrations.Properties?.ServiceToken as { 'Fn::GetAtt': [string, string] };
    const framework = resourcesOfType(s.template, 'AWS::Lambda::Function')[serviceToken['Fn::GetAtt'][0]];
    const env = (framework?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.USER_ON_EVENT_FUNCTION_ARN).toEqual({ 'Fn::GetAtt': [logicalId(s.stack.migrations.function), 'Arn'] });
  });

  it('changes its properties with the migration files and the migrate bundle (so new migrations re-run)', () => {
    expect(migrations.Properties?.MigrationsHash).toBe(hashDirectories(REPO_ROOT, [MIGRATIONS_SOURCE_DIR]));
    const migrateFn = resourcesOfType(s.template, 'AWS::Lambda::Function')[logicalId(s.stack.migrations.function)];
    expect(migrations.Properties?.MigrateCodeKey).toBe((migrateFn?.Properties?.Code as { S3Key: string }).S3Key);
  });

  it('runs after the database and the Secrets Manager endpoint exist, before the first rotations', () => {
    const id = logicalId(s.stack.migrations.resource);
    expect(migrations.DependsOn).toEqual(
      expect.arrayContaining([logicalId(s.stack.database.instance), logicalId(s.stack.network.secretsManagerEndpoint)]),
    );
    for (const schedule of Object.values(resourcesOfType(s.template, 'AWS::SecretsManager::RotationSchedule'))) {
      expect(schedule.DependsOn).toContain(id);
    }
  });

  it('runs before every function that logs in as a role it creates (presign, API, import, finisher)', () => {
    // A function switched to its role before the migration created it would fail every login (28P01).
    const id = logicalId(s.stack.migrations.resource);
    const functions = resourcesOfType(s.template, 'AWS::Lambda::Function');
    const migrate = logicalId(s.stack.migrations.function);
    const loggingIn = Object.keys(functions).filter((fn) => {
      const env = (functions[fn]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      return fn !== migrate && env?.DB_SECRET_ARN !== undefined;
    });
    expect(loggingIn.sort()).toEqual(
      [
        s.stack.uploadApi.function,
        s.stack.callerApi.function,
        s.stack.importPipeline.function,
        s.stack.importPipeline.finisher.function,
      ]
        .map(logicalId)
        .sort(),
    );
    for (const fn of loggingIn) expect(functions[fn]?.DependsOn, fn).toContain(id);
  });
});

describe('hashDirectories', () => {
  it('is stable and depends on the content', () => {
    expect(hashDirectories(REPO_ROOT, ['infra/constructs'])).toBe(hashDirectories(REPO_ROOT, ['infra/constructs']));
    expect(hashDirectories(REPO_ROOT, ['infra/constructs'])).not.toBe(hashDirectories(REPO_ROOT, ['test/infra']));
    expect(hashDirectories(REPO_ROOT, ['does-not-exist'])).toMatch(/^[0-9a-f]{64}$/);
  });
});
