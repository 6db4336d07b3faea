/**
 * The rule-set picker: lists the caller's rule sets (`GET /rule-sets`) once a token is there, and
 * names the chosen one for the grant's `rule_set` option. Listing is a convenience: when it fails,
 * the page still uploads with the built-in rules and says why the list is empty.
 */
export interface RuleSetItem {
  name: string;
  version: number;
}

/** The first option: no rule set, the built-in rules only. */
const NONE_LABEL = 'None: built-in rules only';

export async function listRuleSets(apiBase: string, token: string): Promise<RuleSetItem[]> {
  const bearer = token.trim().replace(/^Bearer\s+/i, '');
  const res = await fetch(`${apiBase}/rule-sets`, {
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    cache: 'no-store',
  });
  if (!res.ok)
    throw new Error(res.status === 401 ? 'the token was not accepted (401)' : `the API answered ${res.status}`);
  const body = (await res.json()) as { rule_sets?: RuleSetItem[] };
  return body.rule_sets ?? [];
}

export class RuleSetPicker {
  readonly #select: HTMLSelectElement;
  readonly #help: HTMLElement;
  readonly #helpText: string;
  #request = 0;

  constructor(select: HTMLSelectElement, help: HTMLElement) {
    this.#select = select;
    this.#help = help;
    this.#helpText = help.textContent ?? '';
    this.#fill([]);
  }

  /** The chosen rule set's name, or undefined for none. */
  get value(): string | undefined {
    return this.#select.value === '' ? undefined : this.#select.value;
  }

  /** Lists the token's rule sets again, keeping the choice when it is still there. */
  async refresh(apiBase: string, token: string): Promise<void> {
    const request = ++this.#request;
    if (token.trim() === '') {
      this.#fill([]);
      this.#help.textContent = this.#helpText;
      return;
    }
    try {
      const sets = await listRuleSets(apiBase, token);
      if (request !== this.#request) return;
      this.#fill(sets);
      this.#help.textContent = sets.length === 0 ? `You have no rule sets yet. ${this.#helpText}` : this.#helpText;
    } catch (error) {
      if (request !== this.#request) return;
      this.#fill([]);
      this.#help.textContent = `Could not list your rule sets: ${(error as Error).message}. The built-in rules still apply.`;
    }
  }

  #fill(sets: readonly RuleSetItem[]): void {
    const previous = this.#select.value;
    const none = new Option(NONE_LABEL, '');
    const options = sets.map((s) => new Option(`${s.name} (version ${s.version})`, s.name));
    this.#select.replaceChildren(none, ...options);
    this.#select.value = sets.some((s) => s.name === previous) ? previous : '';
    this.#select.disabled = sets.length === 0;
  }
}
