/**
 * The upload page: token -> file -> preview -> options -> upload (byte progress) -> import progress
 * -> result. No framework: the DOM in index.html, filled in here.
 */
import { PageError, pollResult, requestGrant, uploadFile, type ImportOptionsInput, type ImportResult } from './api.ts';
import { createHistory, type HistoryView } from './history-view.ts';
import { createMappingView } from './mapping-view.ts';
import { buildPreview, DELIMITER_NAMES, PREVIEW_BYTES, type Preview } from './preview.ts';
import { RuleSetPicker } from './rule-set-picker.ts';

interface PageConfig {
  /** Base URL of the upload API (no trailing slash); empty = this page's origin. */
  apiUrl?: string;
}

const TOKEN_KEY = 'lead-import-token';

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from index.html`);
  return el as T;
}

const ui = {
  form: $<HTMLFormElement>('upload-form'),
  token: $<HTMLInputElement>('token'),
  file: $<HTMLInputElement>('file'),
  dropzone: $('dropzone'),
  fileName: $('file-name'),
  preview: $('preview'),
  strict: $<HTMLInputElement>('strict-mode'),
  threshold: $<HTMLInputElement>('error-threshold'),
  duplicates: $<HTMLSelectElement>('on-duplicate'),
  matchOn: $<HTMLSelectElement>('match-on'),
  upload: $<HTMLButtonElement>('upload'),
  dryRun: $<HTMLButtonElement>('dry-run'),
  dryRunOutcome: $('dry-run-outcome'),
  importForReal: $<HTMLButtonElement>('import-for-real'),
  status: $('status'),
  error: $('error'),
  progress: $('progress'),
  uploadProgress: $<HTMLProgressElement>('upload-progress'),
  uploadProgressText: $('upload-progress-text'),
  importProgress: $<HTMLProgressElement>('import-progress'),
  importProgressText: $('import-progress-text'),
  result: $('result'),
  again: $<HTMLButtonElement>('again'),
};

const ruleSets = new RuleSetPicker($<HTMLSelectElement>('rule-set'), $('rule-set-help'));

let chosen: { file: File; preview: Preview } | undefined;
let busy = false;
let history: HistoryView | undefined;
/** The options of the dry run just shown, for "Import for real" (same file, same options). */
let checked: ImportOptionsInput | undefined;

const numberFormat = new Intl.NumberFormat('en-US');
const fmt = (n: number) => numberFormat.format(n);

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function say(text: string): void {
  ui.status.textContent = text;
}

function showError(message: string | null): void {
  ui.error.hidden = message === null;
  ui.error.textContent = message ?? '';
}

function refreshButton(): void {
  ui.upload.disabled = busy || chosen === undefined;
  ui.dryRun.disabled = ui.upload.disabled;
  ui.importForReal.disabled = busy || checked === undefined;
}

async function loadConfig(): Promise<PageConfig> {
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    return res.ok ? ((await res.json()) as PageConfig) : {};
  } catch {
    return {};
  }
}

function renderPreview(file: File, preview: Preview): void {
  ui.preview.hidden = false;
  $('preview-encoding').textContent = preview.encoding;
  $('preview-delimiter').textContent = DELIMITER_NAMES[preview.delimiter] ?? preview.delimiter;
  $('preview-rows').textContent =
    preview.estimatedRows === null
      ? 'unknown'
      : `${file.size > PREVIEW_BYTES ? 'about ' : ''}${fmt(preview.estimatedRows)}`;
  const problem = $('preview-problem');
  problem.hidden = preview.problem === null;
  problem.textContent = preview.problem ? `The importer will refuse this file: ${preview.problem}` : '';

  const table = $<HTMLTableElement>('preview-table');
  table.tBodies[0]!.replaceChildren(
    ...preview.rows.map((row) => {
      const tr = el('tr');
      for (let i = 0; i < Math.max(row.length, preview.columns.length); i++) tr.append(el('td', row[i] ?? ''));
      return tr;
    }),
  );
  // The header row: a field per column, and what is not imported (mapping-view.ts).
  mapping.load(preview.columns.map((c) => c.header));
}

async function choose(file: File): Promise<void> {
  showError(null);
  ui.result.hidden = true;
  ui.progress.hidden = true;
  ui.fileName.textContent = `${file.name} (${formatBytes(file.size)})`;
  const sample = new Uint8Array(await file.slice(0, PREVIEW_BYTES).arrayBuffer());
  const preview = buildPreview(sample, file.size);
  chosen = { file, preview };
  renderPreview(file, preview);
  refreshButton();
  say(
    `${file.name} is ready: ${preview.columns.length} columns, ${preview.unknown.length} not imported. Check the preview, then upload.`,
  );
}

function options(dryRun = false): ImportOptionsInput {
  const percent = Number(ui.threshold.value);
  if (ui.threshold.value.trim() === '' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new PageError('The error threshold must be a number from 0 to 100 (percent of rows).');
  }
  return {
    strict_mode: ui.strict.checked,
    error_threshold: Math.round(percent * 10) / 1000,
    on_duplicate: ui.duplicates.value as ImportOptionsInput['on_duplicate'],
    ...(ruleSets.value ? { rule_set: ruleSets.value } : {}),
    match_on: ui.matchOn.value as ImportOptionsInput['match_on'],
    dry_run: dryRun,
    mapping: mapping.mapping(),
  };
}

const mapping = createMappingView(
  {
    table: $<HTMLTableElement>('preview-table'),
    unknown: $('preview-unknown'),
    problems: $('mapping-problems'),
    note: $('mapping-note'),
    remembered: $('mapping-remembered'),
    reset: $<HTMLButtonElement>('mapping-reset'),
  },
  // The budget counts the other options too (the threshold at its longest; a bad one is reported on upload).
  () => ({
    strict_mode: ui.strict.checked,
    error_threshold: 0.125,
    on_duplicate: ui.duplicates.value,
    match_on: ui.matchOn.value,
    dry_run: false,
    ...(ruleSets.value ? { rule_set: ruleSets.value } : {}),
  }),
);

function renderResult(result: ImportResult, errorReportUrl: string | null): void {
  ui.result.hidden = false;
  const badge = $('result-status');
  badge.textContent = result.status;
  badge.className = `badge ${result.status}`;
  $('result-message').textContent = result.message;
  $('count-total').textContent = fmt(result.total_leads);
  $('count-imported').textContent = fmt(result.imported_count);
  $('count-updated').textContent = fmt(result.updated_count);
  // A dry run kept nothing: its counts are what a real import would have done.
  $('count-imported-label').textContent = result.dry_run ? 'Would import' : 'Imported';
  $('count-updated-label').textContent = result.dry_run ? 'Would update' : 'Updated';
  $('count-duplicates').textContent = fmt(result.duplicate_count);
  $('count-failed').textContent = fmt(result.failed_count);
  $('result-duration').textContent =
    result.duration_ms < 1000 ? `${result.duration_ms} ms` : `${(result.duration_ms / 1000).toFixed(1)} s`;
  $('result-speed').textContent = `${fmt(result.leads_per_second)} leads/s`;
  ui.dryRunOutcome.hidden = !result.dry_run;
  // Only the dry run just made has its file at hand; one opened from the history cannot be sent again.
  ui.importForReal.hidden = checked === undefined;

  const download = $('rejected-download');
  // An expired import's rejected-rows file is gone: no URL, no link.
  download.hidden = !result.error_report_key || !errorReportUrl;
  $<HTMLAnchorElement>('rejected-link').href = (result.error_report_key && errorReportUrl) || '';

  const details = result.error_details ?? [];
  $('row-errors').hidden = details.length === 0;
  $('row-errors-truncated').hidden = !result.errors_truncated;
  $<HTMLTableElement>('row-errors-table').tBodies[0]!.replaceChildren(
    ...details.map((d) => {
      const tr = el('tr');
      tr.append(el('td', String(d.row)), el('td', d.column ?? ''), el('td', d.value ?? ''), el('td', d.message));
      return tr;
    }),
  );
  $('result-heading').focus();
}

/** `given`: the options of a dry run to import for real; otherwise the form's. */
async function submit(config: PageConfig, dryRun: boolean, given?: ImportOptionsInput): Promise<void> {
  if (!chosen || busy) return;
  const { file, preview } = chosen;
  showError(null);
  ui.result.hidden = true;
  busy = true;
  checked = undefined;
  refreshButton();
  try {
    const token = ui.token.value.trim();
    // An empty token is still sent: the API's own 401 is the one answer to a missing or wrong token.
    if (token !== '') sessionStorage.setItem(TOKEN_KEY, token);
    const opts = given ?? options(dryRun);
    const problems = given ? [] : mapping.problems({ ...opts });
    if (problems.length > 0) throw new PageError(`The file was not sent. ${problems.join(' ')}`);
    say(`Asking for an upload link for ${file.name}...`);
    const grant = await requestGrant(config.apiUrl ?? '', token, file, opts);

    ui.progress.hidden = false;
    ui.uploadProgress.value = 0;
    ui.importProgress.removeAttribute('value');
    ui.importProgressText.textContent = 'Waiting for the upload.';
    say(`Uploading ${file.name}...`);
    let lastAnnounced = 0;
    await uploadFile(grant, file, (sent, total) => {
      const percent = total > 0 ? Math.floor((sent * 100) / total) : 0;
      ui.uploadProgress.value = percent;
      ui.uploadProgressText.textContent = `${formatBytes(sent)} of ${formatBytes(total)} sent (${percent}%)`;
      // The live region hears every 25%, not every progress event.
      if (percent - lastAnnounced >= 25 && percent < 100) {
        lastAnnounced = percent;
        say(`Uploading ${file.name}: ${percent}%`);
      }
    });

    say(`Uploaded. ${opts.dry_run ? 'Checking' : 'Importing'} ${file.name}...`);
    ui.importProgressText.textContent = 'Waiting for the importer to start.';
    const result = await pollResult(grant.result_url, {
      onProgress: (snapshot) => {
        const estimate = preview.estimatedRows;
        if (estimate && estimate > 0)
          ui.importProgress.value = Math.min(99, Math.floor((snapshot.total_leads * 100) / estimate));
        ui.importProgressText.textContent = `${fmt(snapshot.total_leads)} rows read${estimate ? ` of about ${fmt(estimate)}` : ''}.`;
      },
    });
    ui.importProgress.value = 100;
    ui.importProgressText.textContent = `${fmt(result.total_leads)} rows read.`;
    if (result.dry_run) checked = { ...opts, dry_run: false };
    renderResult(result, grant.error_report_url);
    say(`${result.dry_run ? 'Check' : 'Import'} ${result.status}: ${result.message}`);
    void history?.refresh();
  } catch (error) {
    const message = error instanceof PageError ? error.message : `Something went wrong: ${(error as Error).message}`;
    showError(message);
    say('The file was not imported.');
  } finally {
    busy = false;
    refreshButton();
  }
}

function reset(): void {
  chosen = undefined;
  checked = undefined;
  ui.file.value = '';
  ui.fileName.textContent = '';
  ui.preview.hidden = true;
  ui.progress.hidden = true;
  ui.result.hidden = true;
  showError(null);
  say('');
  refreshButton();
  ui.file.focus();
}

async function start(): Promise<void> {
  ui.token.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const config = await loadConfig();
  const listRuleSets = () => ruleSets.refresh(config.apiUrl ?? '', ui.token.value);
  ui.token.addEventListener('change', () => void listRuleSets());
  void listRuleSets();
  ui.file.addEventListener('change', () => {
    const file = ui.file.files?.[0];
    if (file) void choose(file);
  });
  ui.dropzone.addEventListener('dragover', (event) => {
    event.preventDefault();
    ui.dropzone.classList.add('dragging');
  });
  ui.dropzone.addEventListener('dragleave', () => ui.dropzone.classList.remove('dragging'));
  ui.dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    ui.dropzone.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) void choose(file);
  });
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit(config, false);
  });
  ui.dryRun.addEventListener('click', () => void submit(config, true));
  ui.importForReal.addEventListener('click', () => void submit(config, false, checked));
  ui.again.addEventListener('click', reset);
  history = createHistory({
    apiBase: config.apiUrl ?? '',
    token: () => ui.token.value,
    showResult: (result, errorReportUrl) => {
      checked = undefined;
      refreshButton();
      ui.progress.hidden = true;
      showError(null);
      renderResult(result, errorReportUrl);
      say(`${result.filename}: ${result.status}. ${result.message}`);
    },
  });
  ui.token.addEventListener('change', () => void history?.refresh());
  await history.refresh();
  document.documentElement.dataset.ready = 'true';
}

void start();
