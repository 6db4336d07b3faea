/**
 * What a row check answers, and the shape of the check the row processor runs after its own: the
 * rows room defines it, #core/rules/rule-checker compiles a rule set into one, and the engine hands
 * it over. Defined here so rows never import rules.
 */
import type { LeadColumn } from '../contract/columns.ts';
import type { RowErrorCode } from '../contract/errors.ts';

export interface RowProblem {
  column: LeadColumn | null;
  code: RowErrorCode;
  message: string;
  value: string | null;
}

export type RuleCells = Record<LeadColumn, string | null>;
/**
 * The problems the rules find in one row's trimmed cells, or undefined when it passes. A value an
 * `allowed` list accepts is rewritten in place to the list's own spelling.
 */
export type RuleCheck = ((cells: RuleCells) => RowProblem[] | undefined) & {
  /**
   * normalizePhone for the import's region, remembering the last number: with `phone: "valid"` the
   * row processor asks again for the number the rule just parsed, and gets it without parsing twice.
   */
  phone?: (phone: string) => string | undefined;
};
