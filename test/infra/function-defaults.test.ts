import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stage } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, resourcesOfType, synthStack, type CfnResource, type Synthesized } from './synth.ts';

let s: Synthesized;
let appFunctions: Record<string, CfnResource>;
beforeAll(() => {
  s = synthStack();
  const functions = resourcesOfType(s.template, 'AWS::Lambda::Function');
  const ids = [s.stack.importPipeline.function, s.stack.uploadApi.function, s.stack.migrations.function].map(logicalId);
  appFunctions = Object.fromEntries(ids.map((id) => [id, functions[id] as CfnResource]));
});

describe('every Lead Import function (import, presign, migrate)', () => {
  it('exists in the template', () => {
    expect(Object.values(appFunctions).every((fn) => fn !== undefined)).toBe(true);
    expect(Object.keys(appFunctions)).toHaveLength(3);
  });

  it('runs Node.js 24 on arm64', () => {
    for (const fn of Object.values(appFunctions)) {
      expect(fn.Properties?.Runtime).toBe('nodejs24.x');
      expect(fn.Properties?.Architectures).toEqual(['arm64']);
    }
  });

  it('starts without Node source-map support (it costs CPU and memory at every cold start)', () => {
    for (const fn of Object.values(appFunctions)) {
      expect(fn.Properties?.Handler).toBe('index.handler');
      const env = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.NODE_OPTIONS).toBeUndefined();
    }
  });

  it('is bundled as a plain ES module whose stack traces read as the source (import.meta.url works, e.g. for the engine worker)', () => {
    const outdir = Stage.of(s.stack)?.outdir ?? '';
    for (const fn of Object.values(appFunctions)) {
      const hash = (fn.Properties?.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
      const bundle = path.join(outdir, `asset.${hash}`, 'index.mjs');
      expect(existsSync(bundle)).toBe(true);
      expect(existsSync(`${bundle}.map`)).toBe(false);
      // Not minified: the handler's own name and module path are in the bundle as written.
      const text = readFileSync(bundle, 'utf8');
      expect(text).toMatch(/^\/\/ functions\/\w+\/handler\.ts$/m);
      expect(text).toMatch(/\basync function handler\(/);
    }
  });

  it('ships the import engine worker next to the import bundle, and only there', () => {
    const outdir = Stage.of(s.stack)?.outdir ?? '';
    const withWorker = Object.values(appFunctions).filter((fn) => {
      const hash = (fn.Properties?.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
      return existsSync(path.join(outdir, `asset.${hash}`, 'lead-engine-worker.mjs'));
    });
    expect(withWorker.map((fn) => fn.Properties?.Description)).toEqual([
      expect.stringMatching(/^Streams an uploaded CSV/),
    ]);
  });

  it('states memory and timeout explicitly and logs to its own log group with retention', () => {
    const logGroups = resourcesOfType(s.template, 'AWS::Logs::LogGroup');
    for (const fn of Object.values(appFunctions)) {
      expect(fn.Properties?.MemorySize).toEqual(expect.any(Number));
      expect(fn.Properties?.Timeout).toEqual(expect.any(Number));
      const logGroupId = (fn.Properties?.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(logGroups[logGroupId]?.Properties?.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('sizes the import function for large files (15 min, 1769 MB: one whole vCPU, parsing inline) inside the isolated subnets', () => {
    const importFn = appFunctions[logicalId(s.stack.importPipeline.function)];
    expect(importFn?.Properties?.Timeout).toBe(900);
    expect(importFn?.Properties?.MemorySize).toBe(1769);
    const env = (importFn?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.ENGINE_WORKER).toBe('off');
    const isolated = s.stack.network.vpc.isolatedSubnets.map((subnet) => ({ Ref: logicalId(subnet) }));
    expect((importFn?.Properties?.VpcConfig as { SubnetIds: unknown[] }).SubnetIds).toEqual(isolated);
  });
});
