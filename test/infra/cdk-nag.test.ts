import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../infra/create-app.ts';
import { cdkJsonContext, TEST_CORS_ORIGINS } from './synth.ts';

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string; severity: string }[] }[];
}

const outdir = mkdtempSync(path.join(tmpdir(), 'lead-import-nag-'));
let app: App;
let report: ValidationReport;

beforeAll(() => {
  ({ app } = createApp({
    nag: true,
    outdir,
    context: { ...cdkJsonContext(), corsAllowedOrigins: TEST_CORS_ORIGINS },
  }));
  // Throws (inmemory mode) if any validation plugin reports an error.
  const assembly = app.synth();
  report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning in the synthesized app', () => {
    const findings = report.pluginReports.flatMap((r) =>
      r.violations.map((v) => `${r.pluginName}: ${v.ruleName} (${v.severity})`),
    );
    expect(findings).toEqual([]);
  });

  it('finds nothing when the pack is run directly over the construct tree', () => {
    const result = new AwsSolutionsChecks().validateScope(app);
    expect(
      result.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(result.success).toBe(true);
  });

  it('carries a specific reason on every acknowledgement', () => {
    const reasons: string[] = [];
    const visit = (node: App | Stack | { node: App['node'] }): void => {
      for (const entry of node.node.metadata) {
        if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          reasons.push(...Object.values(entry.data as Record<string, string>));
      }
      for (const child of node.node.children) visit(child);
    };
    visit(app);
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(40);
  });

  it('does flag a non-compliant resource (control: the pack is really checking)', () => {
    const control = new App();
    new s3.Bucket(new Stack(control, 'Control'), 'Plain');
    const ruleNames = new AwsSolutionsChecks().validateScope(control).violations.map((v) => v.ruleName);
    expect(ruleNames).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});
