import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config.ts';
import { LeadImportStack } from './lead-import-stack.ts';

export const STACK_NAME = 'LeadImport';

export interface CreateAppOptions extends AppProps {
  /** Register cdk-nag's AwsSolutions pack as a synthesis validation plugin (default true). */
  readonly nag?: boolean;
}

/** Builds the app; shared by infra/app.ts (CLI) and the infra tests. */
export function createApp(options: CreateAppOptions = {}): { app: App; stack: LeadImportStack } {
  const { nag = true, ...appProps } = options;
  const app = new App({ analyticsReporting: false, ...appProps });
  const stack = new LeadImportStack(app, STACK_NAME, {
    description: 'Lead Import: presigned CSV uploads imported into RDS PostgreSQL',
    config: readConfig(app.node),
  });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
