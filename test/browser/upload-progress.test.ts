import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Route } from 'playwright-core';
import { csvText, HEADER, validLead } from '#test/csv';
import { sampleCsv } from '#test/events';
import { startHarness, text, type PageHarness } from './browser.ts';

let h: PageHarness;
let page: Page;

beforeAll(async () => {
  h = await startHarness();
  page = await h.openPage();
});
afterAll(async () => h?.close());

describe('upload page: preview of other encodings', () => {
  it.each([
    ['windows1252-semicolon.csv', 'windows-1252', 'semicolon (;)', 'Müller'],
    ['excel-utf16le-tab.csv', 'utf-16le', 'tab', 'Société Générale'],
  ])('reads %s as %s with a %s delimiter', async (name, encoding, delimiter, cellText) => {
    await page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: sampleCsv(name) });
    await page.waitForFunction((n) => document.getElementById('file-name')?.textContent?.startsWith(n), name);
    expect(await text(page, '#preview-encoding')).toBe(encoding);
    expect(await text(page, '#preview-delimiter')).toBe(delimiter);
    expect(await text(page, '#preview-problem')).toBe('');
    expect(await page.$$eval('#preview-table th.mapped', (ths) => ths.length)).toBeGreaterThan(3);
    expect(await text(page, '#preview-table tbody')).toContain(cellText);
  });
});

describe('upload page: live import progress', () => {
  it('shows the rows read from a processing snapshot, then the result', async () => {
    // Hold the result URL on a `processing` snapshot until the page has shown it.
    let release = false;
    const snapshot = { status: 'processing', total_leads: 4, message: 'Importing', error_details: [] };
    await page.route(
      (url) => url.pathname.endsWith('.result.json'),
      (route: Route) =>
        release
          ? route.continue()
          : route.fulfill({ status: 200, contentType: 'application/json', headers: { 'access-control-allow-origin': new URL(h.stack.apiUrl).origin }, body: JSON.stringify(snapshot) }),
    );
    const csv = csvText([HEADER, ...Array.from({ length: 10 }, (_, i) => validLead(i))]);
    await page.getByLabel('API token').fill(h.stack.token);
    await page.setInputFiles('#file', { name: 'progress.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload and import' }).click();

    await page.waitForFunction(() => document.getElementById('import-progress-text')?.textContent === '4 rows read of about 10.');
    expect(await page.$eval('#import-progress', (p) => (p as HTMLProgressElement).value)).toBe(40);
    expect(await page.isHidden('#result')).toBe(true);

    release = true;
    await page.waitForSelector('#result:not([hidden])', { timeout: 60_000 });
    expect(await text(page, '#result-status')).toBe('succeeded');
    expect(await text(page, '#count-imported')).toBe('10');
    expect(await text(page, '#import-progress-text')).toBe('10 rows read.');
  });
});
