import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { csvText, HEADER, invalidLead, validLead } from '#test/csv';
import { countLeads } from '#test/database';
import { tableRows, text, usePage } from './browser.ts';

const ctx = usePage();

/** Uploads through the page, as a person would, and waits for the result and the refreshed history. */
async function uploadThroughPage(
  page: Page,
  name: string,
  rows: string[][],
  action: 'Upload and import' | 'Check without importing' = 'Upload and import',
): Promise<void> {
  await page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: Buffer.from(csvText([HEADER, ...rows])) });
  await page.waitForSelector('#preview:not([hidden])');
  await page.getByLabel('Error threshold (% of rows)').fill('50');
  await page.getByRole('button', { name: action }).click();
  await page.waitForSelector('#result:not([hidden])', { timeout: 60_000 });
  await page.waitForFunction(
    (file) => document.querySelector('#history-table tbody tr td.file')?.textContent === file,
    name,
  );
}

const historyRows = (page: Page) => tableRows(page, '#history-table');
const importIdOfRow = (page: Page, index: number) =>
  page.$eval(`#history-table tbody tr:nth-child(${index + 1})`, (tr) => (tr as HTMLElement).dataset.importId!);

describe('upload page: your imports', () => {
  it('asks for the token, then lists an import just uploaded with its status and counts', async () => {
    expect(await text(ctx.page, '#history-empty')).toBe('Paste your token above to see your imports.');
    await ctx.page.getByLabel('API token').fill(ctx.h.stack.token);
    await uploadThroughPage(ctx.page, 'older-with-errors.csv', [
      validLead(1),
      invalidLead(2),
      validLead(3),
      validLead(4),
    ]);
    await uploadThroughPage(ctx.page, 'newest.csv', [validLead(5), validLead(6)]);

    const rows = await historyRows(ctx.page);
    expect(rows.map((r) => [r[0], r[2], r[3], r[4], r[7]])).toEqual([
      ['newest.csv', 'succeeded', '2', '2', '0'],
      ['older-with-errors.csv', 'succeeded', '4', '3', '1'],
    ]);
    expect(await text(ctx.page, '#history-error')).toBe('');
  });

  it('opens an older import in the result view, with its row errors and rejected-rows link', async () => {
    await ctx.page.getByRole('button', { name: /^Open older-with-errors\.csv/ }).click();
    await ctx.page.waitForFunction(() => document.querySelector('#result-message')?.textContent?.includes('4'));
    expect(await text(ctx.page, '#count-total')).toBe('4');
    expect(await text(ctx.page, '#count-failed')).toBe('1');
    const errors = await tableRows(ctx.page, '#row-errors-table');
    expect(errors.map(([row, column, value]) => [row, column, value])).toEqual([
      ['3', 'contact_email', 'not-an-email-2'],
    ]);
    expect(await ctx.page.isVisible('#rejected-link')).toBe(true);
    // Focus moves to the result, so a keyboard user lands on what they opened.
    expect(await ctx.page.evaluate(() => document.activeElement?.id)).toBe('result-heading');
  });

  it('reverts after confirmation (keyboard only), removing its leads, and Escape cancels', async () => {
    const id = await importIdOfRow(ctx.page, 0);
    expect(await countLeads(ctx.h.db, 'import_id = $1', [id])).toBe(2);

    await ctx.page.getByRole('button', { name: /^Revert newest\.csv/ }).focus();
    await ctx.page.keyboard.press('Enter');
    await ctx.page.waitForSelector('#revert-dialog[open]');
    expect(await text(ctx.page, '#revert-text')).toContain('The 2 leads it created will be deleted');
    await ctx.page.keyboard.press('Escape');
    await ctx.page.waitForSelector('#revert-dialog:not([open])', { state: 'attached' });
    expect(await countLeads(ctx.h.db, 'import_id = $1', [id])).toBe(2);

    await ctx.page.keyboard.press('Enter');
    await ctx.page.waitForSelector('#revert-dialog[open]');
    await ctx.page.getByRole('button', { name: 'Revert import' }).focus();
    await ctx.page.keyboard.press('Enter');
    await ctx.page.waitForFunction(() => document.querySelector('#history-status')?.textContent?.includes('removed'));
    expect(await text(ctx.page, '#history-status')).toMatch(/^newest\.csv: removed 2 leads and restored 0\./);
    await ctx.page.waitForFunction(
      () => document.querySelector('#history-table tbody tr .badge')?.textContent === 'reverted',
    );
    expect(await countLeads(ctx.h.db, 'import_id = $1', [id])).toBe(0);
    expect(await countLeads(ctx.h.db)).toBe(3);
    // A reverted import offers no second revert.
    expect(await ctx.page.getByRole('button', { name: /^Revert newest\.csv/ }).count()).toBe(0);
  });

  it('says why in plain words when a revert is refused', async () => {
    const shared = validLead(7);
    await uploadThroughPage(ctx.page, 'first.csv', [shared]);
    await ctx.page.getByLabel('Duplicate leads', { exact: true }).selectOption('update');
    await uploadThroughPage(ctx.page, 'second.csv', [shared.map((c, i) => (i === 8 ? 'changed later' : c))]);
    await ctx.page.getByRole('button', { name: /^Revert first\.csv/ }).click();
    await ctx.page.getByRole('button', { name: 'Revert import' }).click();
    await ctx.page.waitForSelector('#history-error:not([hidden])');
    expect(await text(ctx.page, '#history-error')).toMatch(
      /^first\.csv was not reverted\. Cannot revert import .*: 1 of its leads was changed since by your later import .*\. Revert that import first\. Nothing changed\.$/,
    );
  });

  it('shows a dry run as one: a "Dry run" badge, what it would import, and no Revert', async () => {
    // Act
    await uploadThroughPage(ctx.page, 'checked.csv', [validLead(8), validLead(9)], 'Check without importing');
    await uploadThroughPage(ctx.page, 'kept.csv', [validLead(10)]);
    // Assess
    const [kept, checked] = await historyRows(ctx.page);
    expect([kept![0], kept![2], kept![4]]).toEqual(['kept.csv', 'succeeded', '1']);
    expect([checked![0], checked![2], checked![4]]).toEqual(['checked.csv', 'Dry run succeeded', 'would import 2']);
    expect(await ctx.page.locator('#history-table tbody tr:nth-child(2) .badge.dry').isVisible()).toBe(true);
    expect(await ctx.page.getByRole('button', { name: /^Revert checked\.csv/ }).count()).toBe(0);
    expect(await ctx.page.getByRole('button', { name: /^Revert kept\.csv/ }).count()).toBe(1);
    expect(await countLeads(ctx.h.db, 'import_id = $1', [await importIdOfRow(ctx.page, 1)])).toBe(0);

    // Opened later, it still says it was a check, and offers no "Import for real" without its file.
    await ctx.page.getByRole('button', { name: /^Open checked\.csv/ }).click();
    await ctx.page.waitForSelector('#dry-run-outcome:not([hidden])');
    expect(await text(ctx.page, '#count-imported-label')).toBe('Would import');
    expect(await ctx.page.isVisible('#import-for-real')).toBe(false);
    await ctx.page.getByRole('button', { name: /^Open kept\.csv/ }).click();
    await ctx.page.waitForSelector('#dry-run-outcome[hidden]', { state: 'attached' });
    expect(await text(ctx.page, '#count-imported-label')).toBe('Imported');
  });

  it('works at 390 px wide and at 1280 px (screenshots)', async () => {
    await ctx.page.getByRole('button', { name: /^Open older-with-errors\.csv/ }).click();
    await ctx.page.waitForFunction(() => document.querySelector('#count-total')?.textContent === '4');
    await ctx.page.setViewportSize({ width: 1280, height: 900 });
    await ctx.page.screenshot({ path: 'test-results/history-wide.png', fullPage: true });
    await ctx.page.setViewportSize({ width: 390, height: 844 });
    const overflow = await ctx.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await ctx.page.getByRole('button', { name: /^Open first\.csv/ }).isVisible()).toBe(true);
    await ctx.page.screenshot({ path: 'test-results/history-narrow.png', fullPage: true });
  });
});
