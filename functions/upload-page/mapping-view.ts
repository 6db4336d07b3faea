/**
 * The preview's column controls: a select per column (a lead field or "don't import"), prefilled by
 * the importer's synonyms or by the mapping remembered for the same headers, the problems in words,
 * and "Reset to detected". The logic is in mapping.ts; this module only draws it.
 */
import { LEAD_COLUMNS, type LeadColumn } from '#core/contract/columns';
import {
  budgetProblem,
  detectedChoices,
  mappedColumns,
  mappingOption,
  mappingProblems,
  memoryKey,
  metadataBudget,
  nameJoinNote,
  parseRemembered,
  type Choices,
} from './mapping.ts';

export const DONT_IMPORT = "don't import";

export interface MappingElements {
  table: HTMLTableElement;
  unknown: HTMLElement;
  problems: HTMLElement;
  note: HTMLElement;
  remembered: HTMLElement;
  reset: HTMLButtonElement;
}

export interface MappingView {
  /** Shows the controls for a new file's headers. */
  load(headers: string[]): void;
  /** The grant's `mapping` option for the current choices (undefined when nothing was changed). */
  mapping(): Record<string, string> | undefined;
  /** Why an upload with these options would be refused, in words; empty when it would not. */
  problems(options: Record<string, unknown>): string[];
}

/** localStorage may be missing or refuse (private windows, quotas): memory is then just off. */
function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export function createMappingView(ui: MappingElements, otherOptions: () => Record<string, unknown>): MappingView {
  let headers: string[] = [];
  let choices: Choices = [];

  const mapping = () => (headers.length === 0 ? undefined : mappingOption(headers, choices));
  const problems = (options: Record<string, unknown>): string[] => {
    const found = mappingProblems(headers, choices);
    const option = mapping();
    if (found.length === 0) {
      const importer = mappedColumns(headers, option).problem;
      if (importer) found.push(importer);
    }
    const budget = metadataBudget({ ...options, mapping: option });
    if (!budget.fits) found.push(budgetProblem(budget));
    return found;
  };

  function render(): void {
    const fields = mappedColumns(headers, mapping()).fields;
    const head = document.createElement('tr');
    headers.forEach((header, i) => {
      const th = document.createElement('th');
      th.scope = 'col';
      th.className = fields[i] ? 'mapped' : 'unknown';
      const name = document.createElement('span');
      name.textContent = header || '(no name)';
      const select = document.createElement('select');
      select.className = 'column-choice';
      select.setAttribute('aria-label', `Lead field for column ${header || i + 1}`);
      for (const value of ['', ...LEAD_COLUMNS]) {
        const option = new Option(value === '' ? DONT_IMPORT : value, value);
        option.selected = (choices[i] ?? '') === value;
        select.add(option);
      }
      select.addEventListener('change', () => {
        choices[i] = (select.value || null) as LeadColumn | null;
        storage()?.setItem(memoryKey(headers), JSON.stringify(choices));
        ui.remembered.hidden = true;
        render();
        // Re-rendering replaced the select: keep the keyboard where it was.
        ui.table.tHead?.querySelectorAll('select')[i]?.focus();
      });
      const target = document.createElement('span');
      target.className = 'maps-to';
      target.textContent = fields[i] ? `→ ${fields[i]}` : 'not imported';
      th.append(name, select, target);
      head.append(th);
    });
    ui.table.tHead!.replaceChildren(head);
    for (const row of Array.from(ui.table.tBodies[0]?.rows ?? [])) {
      Array.from(row.cells).forEach((cell, i) => {
        cell.classList.toggle('not-imported', !fields[i]);
      });
    }

    const skipped = headers.filter((h, i) => h !== '' && !fields[i]);
    ui.unknown.hidden = skipped.length === 0;
    ui.unknown.textContent = `Not imported: ${skipped.join(', ')}`;
    const found = problems(otherOptions());
    ui.problems.hidden = found.length === 0;
    ui.problems.replaceChildren(
      ...found.map((text) => {
        const li = document.createElement('li');
        li.textContent = text;
        return li;
      }),
    );
    const note = nameJoinNote(headers, choices);
    ui.note.hidden = note === null;
    ui.note.textContent = note ?? '';
    const detected = detectedChoices(headers);
    ui.reset.disabled = choices.every((c, i) => c === detected[i]);
  }

  ui.reset.addEventListener('click', () => {
    choices = detectedChoices(headers);
    storage()?.removeItem(memoryKey(headers));
    ui.remembered.hidden = true;
    render();
  });

  return {
    load(next) {
      headers = next.map((h) => h.trim());
      const remembered = parseRemembered(storage()?.getItem(memoryKey(headers)) ?? null, headers);
      choices = remembered ?? detectedChoices(headers);
      ui.remembered.hidden = remembered === undefined;
      ui.remembered.textContent = 'Using the mapping you chose last time for these columns.';
      render();
    },
    mapping,
    problems,
  };
}
