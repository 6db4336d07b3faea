import { beforeAll, describe, expect, it } from 'vitest';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { logicalId, resourcesOfType, synthStack, type Synthesized } from './synth.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

let s: Synthesized;
let bucketArn: unknown;
beforeAll(() => {
  s = synthStack();
  bucketArn = { 'Fn::GetAtt': [logicalId(s.stack.storage.bucket), 'Arn'] };
});

const actionsOf = (st: Statement): string[] => (Array.isArray(st.Action) ? st.Action : [st.Action]);
const resourcesOf = (st: Statement): unknown[] => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]);
const objectArn = (pattern: string) => ({ 'Fn::Join': ['', [bucketArn, `/${pattern}`]] });

/** Every statement granted to a role: its inline policies plus the AWS::IAM::Policy resources attached to it. */
function statementsOfRole(roleId: string): Statement[] {
  const role = resourcesOfType(s.template, 'AWS::IAM::Role')[roleId];
  const inline = ((role?.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  const attached = Object.values(resourcesOfType(s.template, 'AWS::IAM::Policy'))
    .filter((p) =>
      (p.Properties?.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
    )
    .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
  return [...inline, ...attached];
}

function statementsOfFunction(fn: IFunction): Statement[] {
  if (!fn.role) throw new Error('function has no role');
  return statementsOfRole(logicalId(fn.role));
}

/** The S3 grants of a function as "action -> sorted resources". */
function s3Grants(fn: IFunction): Record<string, unknown[]> {
  const grants: Record<string, unknown[]> = {};
  for (const st of statementsOfFunction(fn).filter((x) => x.Effect === 'Allow')) {
    for (const action of actionsOf(st).filter((a) => a.startsWith('s3:'))) {
      grants[action] = [...(grants[action] ?? []), ...resourcesOf(st)];
    }
  }
  for (const key of Object.keys(grants))
    grants[key]?.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return grants;
}

const RESULT = 'uploads/*.result.json';
const REJECTED = 'uploads/*.rejected.csv';

describe('IAM least privilege', () => {
  it('import function: reads uploads/*, writes only the result and rejected-rows files', () => {
    expect(s3Grants(s.stack.importPipeline.function)).toEqual({
      's3:GetObject': [objectArn('uploads/*')],
      's3:GetObjectVersion': [objectArn('uploads/*')],
      's3:PutObject': [objectArn(REJECTED), objectArn(RESULT)],
    });
  });

  it('finisher function: reads uploads/* (metadata, the last snapshot), writes only result JSONs', () => {
    expect(s3Grants(s.stack.importPipeline.finisher.function)).toEqual({
      's3:GetObject': [objectArn('uploads/*')],
      's3:GetObjectVersion': [objectArn('uploads/*')],
      's3:PutObject': [objectArn(RESULT)],
    });
  });

  it('presign function: signs PUT under uploads/* and GET of the result files only', () => {
    expect(s3Grants(s.stack.uploadApi.function)).toEqual({
      's3:PutObject': [objectArn('uploads/*')],
      's3:GetObject': [objectArn(REJECTED), objectArn(RESULT)],
    });
  });

  it('migrate function: no S3 access', () => {
    expect(s3Grants(s.stack.migrations.function)).toEqual({});
  });

  it('no S3 action anywhere is granted on Resource "*" or as s3:*', () => {
    const allRoles = Object.keys(resourcesOfType(s.template, 'AWS::IAM::Role'));
    const s3Statements = allRoles
      .flatMap(statementsOfRole)
      .filter((st) => st.Effect === 'Allow' && actionsOf(st).some((a) => a.startsWith('s3:')));
    expect(s3Statements.length).toBeGreaterThan(0);
    for (const st of s3Statements) {
      expect(resourcesOf(st)).not.toContain('*');
      expect(actionsOf(st)).not.toContain('s3:*');
    }
  });

  it('secret values are readable only by the functions that need them', () => {
    const readers = (fn: IFunction) =>
      statementsOfFunction(fn)
        .filter((st) => actionsOf(st).includes('secretsmanager:GetSecretValue'))
        .flatMap(resourcesOf);
    const importer = { Ref: logicalId(s.stack.database.importerSecret) };
    const master = { Ref: logicalId(s.stack.database.masterSecret) };
    const api = { Ref: logicalId(s.stack.database.apiSecret) };
    const presign = { Ref: logicalId(s.stack.database.presignSecret) };
    expect(readers(s.stack.importPipeline.function)).toEqual([importer]);
    expect(readers(s.stack.callerApi.function)).toEqual([api]);
    expect(readers(s.stack.uploadApi.function)).toEqual([presign]);
    expect(readers(s.stack.migrations.function)).toEqual(expect.arrayContaining([importer, api, presign, master]));
    expect(readers(s.stack.migrations.function)).toHaveLength(4);
  });
});
