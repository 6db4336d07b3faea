import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { csvText } from '#test/csv';
import { countImports, countLeads } from '#test/database';
import { text, usePage } from './browser.ts';

const ctx = usePage();

// Headers the synonym table does not know, as the issue names them.
const HEADERS = ['Organisation Name', 'Mail', 'Rufnummer', 'Vorname', 'Nachname', 'Bemerkung'];
const rows = [
  ['Mapping GmbH', 'anna@mapping.example', '+49 30 1234567', 'Anna', 'Schmidt', 'Messe Berlin'],
  ['Zuordnung AG', 'ben@zuordnung.example', '+49 89 7654321', 'Ben', 'Weber', ''],
];
const file = (name: string, body = csvText([HEADERS, ...rows])) => ({
  name,
  mimeType: 'text/csv',
  buffer: Buffer.from(body),
});

const choose = (page: Page, header: string, field: string) =>
  page.getByLabel(`Lead field for column ${header}`).selectOption(field === "don't import" ? '' : field);

const problems = (page: Page) => page.$$eval('#mapping-problems li', (lis) => lis.map((li) => li.textContent));

async function load(page: Page, name: string, body?: string): Promise<void> {
  await page.setInputFiles('#file', file(name, body));
  await page.waitForFunction((n) => document.getElementById('file-name')?.textContent?.startsWith(n), name);
}

describe('upload page: column mapping', () => {
  it('maps unknown headers by hand and imports the values into the chosen columns', async () => {
    // Prepare
    const page = ctx.page;
    await load(page, 'unknown-headers.csv');
    expect(await text(page, '#preview-unknown')).toBe(`Not imported: ${HEADERS.join(', ')}`);
    expect(await problems(page)).toEqual([
      'No column goes to company_name, which every lead needs: choose the column that holds the company.',
    ]);
    // Act
    await choose(page, 'Organisation Name', 'company_name');
    await choose(page, 'Mail', 'contact_email');
    await choose(page, 'Rufnummer', 'contact_phone');
    await choose(page, 'Vorname', 'contact_name');
    await choose(page, 'Nachname', 'contact_name');
    await choose(page, 'Bemerkung', 'notes');
    // Assess: the preview re-renders with the mapping, with no problem left
    expect(await problems(page)).toEqual([]);
    expect(await page.$$eval('#preview-table th .maps-to', (s) => s.map((e) => e.textContent))).toEqual([
      '→ company_name',
      '→ contact_email',
      '→ contact_phone',
      '→ contact_name',
      '→ contact_name',
      '→ notes',
    ]);
    expect(await text(page, '#mapping-note')).toContain('"Vorname" and "Nachname" are joined into contact_name');
    expect(await page.isHidden('#preview-unknown')).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: 'test-results/mapping-wide.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'test-results/mapping-narrow.png', fullPage: true });
    await page.setViewportSize({ width: 1000, height: 900 });

    await page.getByLabel('API token').fill(ctx.h.stack.token);
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.waitForSelector('#result:not([hidden])', { timeout: 60_000 });
    expect(await text(page, '#result-status')).toBe('succeeded');
    const { rows: stored } = await ctx.h.db.admin.query(
      'select company_name, contact_email, contact_phone, contact_name, notes from leads order by source_row',
    );
    expect(stored).toEqual([
      {
        company_name: 'Mapping GmbH',
        contact_email: 'anna@mapping.example',
        contact_phone: '+49 30 1234567',
        contact_name: 'Anna Schmidt',
        notes: 'Messe Berlin',
      },
      {
        company_name: 'Zuordnung AG',
        contact_email: 'ben@zuordnung.example',
        contact_phone: '+49 89 7654321',
        contact_name: 'Ben Weber',
        notes: null,
      },
    ]);
  });

  it('remembers the mapping for the same headers, and "Reset to detected" undoes it', async () => {
    const page = await ctx.h.openPage();
    await load(page, 'same-headers-again.csv');
    expect(await text(page, '#mapping-remembered')).toBe('Using the mapping you chose last time for these columns.');
    expect(await page.getByLabel('Lead field for column Mail').inputValue()).toBe('contact_email');
    await page.getByRole('button', { name: 'Reset to detected' }).click();
    expect(await page.getByLabel('Lead field for column Mail').inputValue()).toBe('');
    expect(await page.isHidden('#mapping-remembered')).toBe(true);
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    await load(page, 'same-headers-again.csv');
    expect(await page.getByLabel('Lead field for column Mail').inputValue()).toBe('');
    await page.close();
  });

  it('flags two columns for one field before upload and sends nothing', async () => {
    // Prepare
    const page = await ctx.h.openPage();
    const body = csvText([
      ['Company', 'Email', 'Mail'],
      ['Conflict Inc', 'a@conflict.example', 'b@conflict.example'],
    ]);
    await load(page, 'conflict.csv', body);
    const importsBefore = await countImports(ctx.h.db);
    // Act
    await choose(page, 'Mail', 'contact_email');
    // Assess
    expect(await problems(page)).toEqual([
      'Columns "Email" and "Mail" both go to contact_email: choose one, and set the others to "don\'t import".',
    ]);
    await page.getByLabel('API token').fill(ctx.h.stack.token);
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.waitForSelector('#error:not([hidden])');
    expect(await text(page, '#error')).toContain('The file was not sent. Columns "Email" and "Mail" both go to');
    expect(await page.isHidden('#progress')).toBe(true);
    expect(await countImports(ctx.h.db)).toBe(importsBefore);
    await page.close();
  });

  it('says on the page when a mapping is too large for the 2 KB of metadata', async () => {
    const page = await ctx.h.openPage();
    const headers = Array.from({ length: 40 }, (_, i) => `Freitext-Spalte mit Umlaut Nummer ${i} (ä)`);
    await load(
      page,
      'wide.csv',
      csvText([
        ['Company', ...headers],
        ['Wide Ltd', ...headers.map(() => 'x')],
      ]),
    );
    await page.evaluate(() => {
      // Choose "notes" for every unknown column, as a user would one by one.
      for (const select of Array.from(document.querySelectorAll<HTMLSelectElement>('select.column-choice')).slice(1)) {
        select.value = 'notes';
        select.dispatchEvent(new Event('change'));
      }
    });
    expect((await problems(page)).join(' ')).toMatch(
      /The mapping is too large to send: with the other options it takes \d+ bytes of S3's 2 KB user-metadata budget \(2048 bytes\)/,
    );
    await page.close();
  });
});

describe('upload page: dry run', () => {
  it('checks without importing, shows the counts, and "Import for real" imports the same file', async () => {
    // Prepare
    const page = await ctx.h.openPage();
    const before = await countLeads(ctx.h.db);
    const body = csvText([
      ['Company', 'Email', 'Contact'],
      ['Dry Run Inc', 'dry1@dryrun.example', 'Dee Dry'],
      ['Dry Run Inc', 'not-an-email', 'Bad Row'],
      ['Dry Run Inc', 'dry1@dryrun.example', 'Dee Again'],
      ['Dry Run Inc', 'dry2@dryrun.example', 'Dan Dry'],
    ]);
    await load(page, 'dry-run.csv', body);
    await page.getByLabel('API token').fill(ctx.h.stack.token);
    await page.getByLabel('Error threshold (% of rows)').fill('50');
    // Act
    await page.getByRole('button', { name: 'Check without importing' }).click();
    await page.waitForSelector('#result:not([hidden])', { timeout: 60_000 });
    // Assess
    expect(await text(page, '#result-status')).toBe('succeeded');
    expect(await text(page, '#dry-run-outcome')).toContain('This was a check: nothing was imported.');
    const counts = () =>
      Promise.all(['#count-total', '#count-imported', '#count-duplicates', '#count-failed'].map((s) => text(page, s)));
    expect(await counts()).toEqual(['4', '2', '1', '1']);
    expect(await countLeads(ctx.h.db)).toBe(before);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: 'test-results/dry-run-wide.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'test-results/dry-run-narrow.png', fullPage: true });

    await page.getByRole('button', { name: 'Import for real' }).click();
    await page.waitForFunction(() => document.getElementById('dry-run-outcome')?.hidden === true);
    await page.waitForSelector('#result:not([hidden])', { timeout: 60_000 });
    expect(await text(page, '#result-status')).toBe('succeeded');
    expect(await counts()).toEqual(['4', '2', '1', '1']);
    expect(await countLeads(ctx.h.db)).toBe(before + 2);
    const { rows } = await ctx.h.db.admin.query<{ dry_run: boolean; imported_count: number }>(
      "select dry_run, imported_count from lead_imports where filename = 'dry-run.csv' order by started_at",
    );
    expect(rows).toEqual([
      { dry_run: true, imported_count: 2 },
      { dry_run: false, imported_count: 2 },
    ]);
    await page.close();
  });
});
