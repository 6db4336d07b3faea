/**
 * Test support for the upload page: Debian's Chromium driven by playwright-core, and the local
 * stack on free ports with a fresh database. One stack per test file (one per process).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { freshDatabase, type TestDatabase } from '#test/database';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../scripts/lib/local-stack/index.ts';

/** Installed by `.ci/run` with `apt-get install -y chromium`. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export interface PageHarness {
  db: TestDatabase;
  stack: LocalStack;
  browser: BrowserContext;
  /** A new tab on the upload page, ready for input. */
  openPage: () => Promise<Page>;
  close: () => Promise<void>;
}

export async function startHarness(options: LocalStackOptions = {}): Promise<PageHarness> {
  const db = await freshDatabase();
  const stack = await startLocalStack({ databaseUrl: db.adminUrl, ...options });
  // A fresh profile per run: playwright passes it as --user-data-dir.
  const profile = await mkdtemp(join(tmpdir(), 'lead-import-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport: { width: 1000, height: 900 },
  });
  return {
    db,
    stack,
    browser,
    openPage: async () => {
      const page = await browser.newPage();
      await page.goto(stack.pageUrl ?? `${stack.apiUrl}/`);
      await page.waitForSelector('html[data-ready="true"]');
      return page;
    },
    close: async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
      await stack.close();
      await db.drop();
    },
  };
}

/** Text of every cell, row by row, of a table's body. */
export const tableRows = (page: Page, selector: string): Promise<string[][]> =>
  page.$$eval(`${selector} tbody tr`, (rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent ?? '')),
  );

export const text = async (page: Page, selector: string): Promise<string> =>
  (await page.textContent(selector))?.trim() ?? '';

/** The stack and one open page for a test file, started in beforeAll and closed in afterAll. */
export function usePage(options: LocalStackOptions = {}): { h: PageHarness; page: Page } {
  const state = {} as { h: PageHarness; page: Page };
  beforeAll(async () => {
    state.h = await startHarness(options);
    state.page = await state.h.openPage();
  });
  afterAll(async () => state.h?.close());
  return state;
}
