import type { RuleSet } from '#core/contract/rule-set';

/** The example rule set: every kind of rule (unit, integration, e2e and browser tests use it). */
export const EVERY_KIND: RuleSet = {
  required: ['contact_email', 'industry'],
  max_length: { notes: 500, contact_title: 80 },
  allowed: { industry: ['SaaS', 'Fintech', 'Health Care'] },
  pattern: { company_size: '^[0-9]+(-[0-9]+|\\+)?$' },
  email_domains: { deny: ['gmail.com', 'yahoo.com'] },
  phone: 'valid',
};
