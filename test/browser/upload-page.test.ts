import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { csvText, HEADER, invalidLead, validLead } from '#test/csv';
import { countLeads } from '#test/database';
import { tableRows, text, usePage } from './browser.ts';

const ctx = usePage();

// 8 valid rows and 2 bad e-mails (20% invalid: over the default 10% threshold, under the 50% set
// on the page) and a column the importer does not know.
const rows = [
  ...[0, 1, 2].map(validLead),
  invalidLead(3),
  ...[4, 5, 6, 7].map(validLead),
  invalidLead(8),
  validLead(9),
];
const csv = csvText([[...HEADER, 'favourite_colour'], ...rows.map((r) => [...r, 'green'])]);
const file = { name: 'leads-with-bad-rows.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) };

describe('upload page: a file with bad rows', () => {
  it('previews the file as the importer reads it and flags the unknown column', async () => {
    await ctx.page.setInputFiles('#file', file);
    await ctx.page.waitForSelector('#preview:not([hidden])');
    expect(await text(ctx.page, '#preview-encoding')).toBe('utf-8');
    expect(await text(ctx.page, '#preview-delimiter')).toBe('comma (,)');
    expect(await text(ctx.page, '#preview-rows')).toBe('10');
    expect(await text(ctx.page, '#preview-unknown')).toContain('favourite_colour');
    expect(
      await ctx.page.$$eval('#preview-table th', (ths) =>
        ths.map((th) => `${th.firstChild?.textContent} ${th.querySelector('.maps-to')?.textContent}`),
      ),
    ).toEqual([...HEADER.map((column) => `${column} → ${column}`), 'favourite_colour not imported']);
    expect((await tableRows(ctx.page, '#preview-table'))[0]?.[0]).toBe('Omega Systems 0');
  });

  it('uploads with the chosen options and shows the counts and every row error', async () => {
    await ctx.page.getByLabel('API token').fill(ctx.h.stack.token);
    await ctx.page.getByLabel('Error threshold (% of rows)').fill('50');
    await ctx.page.getByRole('button', { name: 'Upload and import' }).click();
    await ctx.page.waitForSelector('#result:not([hidden])', { timeout: 60_000 });

    expect(await text(ctx.page, '#error')).toBe('');
    expect(await ctx.page.$eval('#upload-progress', (p) => (p as HTMLProgressElement).value)).toBe(100);
    expect(await text(ctx.page, '#upload-progress-text')).toMatch(/of .* sent \(100%\)$/);
    expect(await text(ctx.page, '#result-status')).toBe('succeeded');
    const counts = await Promise.all(
      ['#count-total', '#count-imported', '#count-failed', '#count-duplicates'].map((s) => text(ctx.page, s)),
    );
    expect(counts).toEqual(['10', '8', '2', '0']);
    expect(await text(ctx.page, '#result-speed')).toMatch(/^[\d,]+ leads\/s$/);
    expect(await text(ctx.page, '#status')).toMatch(/^Import succeeded: /);

    const errors = await tableRows(ctx.page, '#row-errors-table');
    expect(errors.map(([row, column, value]) => [row, column, value])).toEqual([
      ['5', 'contact_email', 'not-an-email-3'],
      ['10', 'contact_email', 'not-an-email-8'],
    ]);
    for (const error of errors) expect(error[3]).toMatch(/e-mail/i);
    expect(await countLeads(ctx.h.db)).toBe(8);
    await ctx.page.screenshot({ path: 'test-results/upload-result.png', fullPage: true });
  });

  it('downloads the rejected rows from the result link', async () => {
    const [download] = await Promise.all([
      ctx.page.waitForEvent('download'),
      ctx.page.getByRole('link', { name: /rejected rows/ }).click(),
    ]);
    const content = await readFile(await download.path(), 'utf8');
    const lines = content
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split(/\r?\n/);
    expect(lines[0]).toBe(['row', 'error', ...HEADER, 'favourite_colour'].join(','));
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 1)[0])).toEqual(['5', '10']);
    expect(lines[1]).toContain('not-an-email-3');
    expect(lines[2]).toContain('not-an-email-8');
  });
});

describe('upload page: refusals', () => {
  it('shows the 401 message when the token is missing, for a dropped file', async () => {
    const tab = await ctx.h.openPage();
    const drop = await tab.evaluateHandle((body) => {
      const data = new DataTransfer();
      data.items.add(new File([body], 'dropped.csv', { type: 'text/csv' }));
      return data;
    }, csv);
    await tab.dispatchEvent('#dropzone', 'drop', { dataTransfer: drop });
    await tab.waitForSelector('#preview:not([hidden])');
    expect(await text(tab, '#file-name')).toMatch(/^dropped\.csv/);
    await tab.getByRole('button', { name: 'Upload and import' }).click();
    await tab.waitForSelector('#error:not([hidden])');
    expect(await text(tab, '#error')).toMatch(/did not accept the token \(401 Unauthorized\)/);
    expect(await tab.getAttribute('#error', 'role')).toBe('alert');
    expect(await text(tab, '#status')).toBe('The file was not imported.');
    expect(await tab.isHidden('#progress')).toBe(true);
    await tab.close();
  });
});
