/**
 * "Your imports": the caller's history, newest first, a page at a time. Open shows an import in the
 * page's result view; Revert asks for confirmation (a modal dialog: focus stays inside, Escape
 * cancels) and then says what happened, or why not, in plain words. A dry run says so, counts what
 * it would have done, and offers no Revert: it kept nothing.
 */
import type { ImportResult } from '#core/contract/result';
import { PageError } from './api.ts';
import { getImport, type ImportLine, listImports, revertImport } from './history-api.ts';

export interface HistoryOptions {
  apiBase: string;
  token: () => string;
  /** Shows a result in the page's result view (the same one an upload ends with). */
  showResult: (result: ImportResult, errorReportUrl: string | null) => void;
}

export interface HistoryView {
  /** Loads the first page again (after an upload, a token change, a revert). */
  refresh: () => Promise<void>;
}

const PAGE_SIZE = 10;

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from index.html`);
  return el as T;
}

const numberFormat = new Intl.NumberFormat('en-US');
const timeFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });
const clockFormat = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short' });

function cell(text: string, label: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  td.dataset.label = label;
  if (className) td.className = className;
  return td;
}

function span(text: string, className: string): HTMLSpanElement {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

/** "2 Dec 2026, 08:38" that wraps only between the date and the time. */
function startedCell(at: Date): HTMLTableCellElement {
  const td = cell('', 'Started');
  td.append(span(`${dayFormat.format(at)},`, 'nowrap'), ' ', span(clockFormat.format(at), 'nowrap'));
  return td;
}

/**
 * A count under the table's own heading; a dry run's says what it would have done ("would import 2"),
 * so it is not read as leads kept. When narrow, the card's label says it instead of the note.
 */
function count(n: number, label: string, would?: string): HTMLTableCellElement {
  if (would === undefined) return cell(numberFormat.format(n), label, 'num');
  const td = cell('', would, 'num');
  td.append(span(`${would.toLowerCase()} `, 'would'), numberFormat.format(n));
  return td;
}

function button(text: string, label: string, className: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.className = className;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

export function createHistory(options: HistoryOptions): HistoryView {
  const section = byId('history');
  const body = byId<HTMLTableElement>('history-table').tBodies[0]!;
  const status = byId('history-status');
  const error = byId('history-error');
  const more = byId<HTMLButtonElement>('history-more');
  const empty = byId('history-empty');
  const dialog = byId<HTMLDialogElement>('revert-dialog');
  const dialogText = byId('revert-text');
  let cursor: string | null = null;
  let pending: ImportLine | undefined;
  let opener: HTMLElement | undefined;

  const showError = (message: string | null) => {
    error.hidden = message === null;
    error.textContent = message ?? '';
  };
  const failure = (e: unknown) =>
    e instanceof PageError ? e.message : `Something went wrong: ${(e as Error).message}`;

  function row(line: ImportLine): HTMLTableRowElement {
    const tr = document.createElement('tr');
    tr.dataset.importId = line.import_id;
    const statusCell = cell('', 'Status');
    // "Dry run succeeded" reads as one phrase, to the eye and to a screen reader.
    if (line.dry_run) statusCell.append(span('Dry run', 'badge dry'), ' ');
    statusCell.append(span(line.status, `badge ${line.status}`));
    const actions = cell('', 'Actions', 'row-actions');
    const when = timeFormat.format(new Date(line.started_at));
    actions.append(
      button('Open', `Open ${line.filename} (${when})`, 'secondary', () => void open(line)),
      ...(line.status === 'succeeded' && !line.dry_run
        ? [button('Revert', `Revert ${line.filename} (${when})`, 'secondary danger', () => confirmRevert(line))]
        : []),
    );
    tr.append(
      cell(line.filename, 'File', 'file'),
      startedCell(new Date(line.started_at)),
      statusCell,
      cell(numberFormat.format(line.total_leads), 'Rows', 'num'),
      count(line.imported_count, 'Imported', line.dry_run ? 'Would import' : undefined),
      count(line.updated_count, 'Updated', line.dry_run ? 'Would update' : undefined),
      cell(numberFormat.format(line.duplicate_count), 'Duplicates', 'num'),
      cell(numberFormat.format(line.failed_count), 'Invalid', 'num'),
      actions,
    );
    return tr;
  }

  async function load(first: boolean): Promise<void> {
    const token = options.token();
    if (token.trim() === '') {
      body.replaceChildren();
      more.hidden = true;
      empty.hidden = false;
      empty.textContent = 'Paste your token above to see your imports.';
      return;
    }
    showError(null);
    section.setAttribute('aria-busy', 'true');
    try {
      const page = await listImports(options.apiBase, token, first ? null : cursor, PAGE_SIZE);
      const rows = page.imports.map(row);
      if (first) body.replaceChildren(...rows);
      else body.append(...rows);
      cursor = page.next_cursor;
      more.hidden = cursor === null;
      empty.hidden = body.rows.length > 0;
      empty.textContent = 'No imports yet: the files you upload appear here.';
      if (!first) (rows[0]?.querySelector('button') as HTMLButtonElement | null)?.focus();
    } catch (e) {
      showError(failure(e));
    } finally {
      section.removeAttribute('aria-busy');
    }
  }

  async function open(line: ImportLine): Promise<void> {
    showError(null);
    try {
      const detail = await getImport(options.apiBase, options.token(), line.import_id);
      if (!detail.result) {
        status.textContent = `${line.filename} is still being imported; open it again in a moment.`;
        return;
      }
      options.showResult(detail.result, detail.error_report_url);
    } catch (e) {
      showError(failure(e));
    }
  }

  function confirmRevert(line: ImportLine): void {
    pending = line;
    opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    const changed = line.imported_count + line.updated_count;
    dialogText.textContent =
      `Revert ${line.filename} (${timeFormat.format(new Date(line.started_at))})? ` +
      `The ${numberFormat.format(line.imported_count)} lead${line.imported_count === 1 ? '' : 's'} it created will be deleted` +
      (line.updated_count > 0
        ? ` and the ${numberFormat.format(line.updated_count)} lead${line.updated_count === 1 ? '' : 's'} it updated get their previous values back`
        : '') +
      `. ${changed === 0 ? 'It changed no lead, so nothing else happens.' : 'This cannot be undone.'}`;
    dialog.returnValue = '';
    dialog.showModal();
  }

  dialog.addEventListener('close', () => {
    const line = pending;
    pending = undefined;
    opener?.focus();
    if (line && dialog.returnValue === 'revert') void revert(line);
  });

  async function revert(line: ImportLine): Promise<void> {
    showError(null);
    status.textContent = `Reverting ${line.filename}...`;
    try {
      const summary = await revertImport(options.apiBase, options.token(), line.import_id);
      status.textContent = `${line.filename}: removed ${numberFormat.format(summary.removed_leads)} lead${summary.removed_leads === 1 ? '' : 's'} and restored ${numberFormat.format(summary.restored_leads)}. ${summary.message}`;
      await load(true);
    } catch (e) {
      status.textContent = '';
      showError(`${line.filename} was not reverted. ${failure(e)}`);
    }
  }

  more.addEventListener('click', () => void load(false));
  byId('history-refresh').addEventListener('click', () => void load(true));
  return { refresh: () => load(true) };
}
