/**
 * Rule-set names: lower-case letters, digits and `-` (they travel in URL paths and S3 metadata).
 * Apart from the rule-set schema so the options (and the upload page) do not pull in the RE2 engine.
 */
export const RULE_SET_NAME = /^[a-z0-9-]{1,64}$/;
export const isRuleSetName = (name: string): boolean => RULE_SET_NAME.test(name);
