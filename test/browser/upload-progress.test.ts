import { describe, expect, it } from 'vitest';
import type { Route } from 'playwright-core';
import { csvText, HEADER, validLead } from '#test/csv';
import { sampleCsv } from '#test/events';
import { text, usePage } from './browser.ts';

const ctx = usePage();

describe('upload page: preview of other encodings', () => {
  it.each([
    ['windows1252-semicolon.csv', 'windows-1252', 'semicolon (;)', 'Müller'],
    ['excel-utf16le-tab.csv', 'utf-16le', 'tab', 'Société Générale'],
  ])('reads %s as %s with a %s delimiter', async (name, encoding, delimiter, cellText) => {
    await ctx.page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: sampleCsv(name) });
    await ctx.page.waitForFunction((n) => document.getElementById('file-name')?.textContent?.startsWith(n), name);
    expect(await text(ctx.page, '#preview-encoding')).toBe(encoding);
    expect(await text(ctx.page, '#preview-delimiter')).toBe(delimiter);
    expect(await text(ctx.page, '#preview-problem')).toBe('');
    expect(await ctx.page.$$eval('#preview-table th.mapped', (ths) => ths.length)).toBeGreaterThan(3);
    expect(await text(ctx.page, '#preview-table tbody')).toContain(cellText);
  });
});

describe('upload page: live import progress', () => {
  it('shows the rows read from a processing snapshot, then the result', async () => {
    // Hold the result URL on a `processing` snapshot until the page has shown it.
    let release = false;
    const snapshot = { status: 'processing', total_leads: 4, message: 'Importing', error_details: [] };
    await ctx.page.route(
      (url) => url.pathname.endsWith('.result.json'),
      (route: Route) =>
        release
          ? route.continue()
          : route.fulfill({
              status: 200,
              contentType: 'application/json',
              headers: { 'access-control-allow-origin': new URL(ctx.h.stack.apiUrl).origin },
              body: JSON.stringify(snapshot),
            }),
    );
    const csv = csvText([HEADER, ...Array.from({ length: 10 }, (_, i) => validLead(i))]);
    await ctx.page.getByLabel('API token').fill(ctx.h.stack.token);
    await ctx.page.setInputFiles('#file', { name: 'progress.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await ctx.page.getByRole('button', { name: 'Upload and import' }).click();

    await ctx.page.waitForFunction(
      () => document.getElementById('import-progress-text')?.textContent === '4 rows read of about 10.',
    );
    expect(await ctx.page.$eval('#import-progress', (p) => (p as HTMLProgressElement).value)).toBe(40);
    expect(await ctx.page.isHidden('#result')).toBe(true);

    release = true;
    await ctx.page.waitForSelector('#result:not([hidden])', { timeout: 60_000 });
    expect(await text(ctx.page, '#result-status')).toBe('succeeded');
    expect(await text(ctx.page, '#count-imported')).toBe('10');
    expect(await text(ctx.page, '#import-progress-text')).toBe('10 rows read.');
  });
});
