import { readFileSync } from 'node:fs';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createApp } from '../../infra/create-app.ts';
import type { LeadImportStack } from '../../infra/lead-import-stack.ts';

/** Context every infra test synthesizes with, on top of cdk.json's (feature flags etc.). */
export const TEST_CORS_ORIGINS = ['https://app.example.com'];

/** The "context" block of cdk.json, so tests synthesize with the same feature flags as `cdk synth`. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export interface Synthesized {
  readonly stack: LeadImportStack;
  readonly template: Template;
}

/** Synthesizes the real stack (real esbuild bundling, nothing stubbed); slow, so call once per file. */
export function synthStack(context: Record<string, unknown> = {}): Synthesized {
  const { stack } = createApp({
    nag: false,
    context: { ...cdkJsonContext(), corsAllowedOrigins: TEST_CORS_ORIGINS, ...context },
  });
  return { stack, template: Template.fromStack(stack) };
}

/** Logical ID of the construct's CloudFormation resource (its default child when given an L2). */
export function logicalId(construct: IConstruct): string {
  const cfn = construct.node.defaultChild ?? construct;
  if (!CfnElement.isCfnElement(cfn)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(cfn).resolve(cfn.logicalId) as string;
}

export type CfnResource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] };

export function resourcesOfType(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}
