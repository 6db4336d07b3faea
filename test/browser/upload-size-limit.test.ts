import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvText, HEADER, validLead } from '#test/csv';
import { countLeads } from '#test/database';
import { startHarness, text, type PageHarness } from './browser.ts';

const MAX_UPLOAD_BYTES = 1024;
let h: PageHarness;

beforeAll(async () => {
  h = await startHarness({ maxUploadBytes: MAX_UPLOAD_BYTES });
});
afterAll(async () => h?.close());

describe('upload page: size limit', () => {
  it('shows the 413 size error for a file over MAX_UPLOAD_BYTES and uploads nothing', async () => {
    const csv = csvText([HEADER, ...Array.from({ length: 20 }, (_, i) => validLead(i))]);
    expect(Buffer.byteLength(csv)).toBeGreaterThan(MAX_UPLOAD_BYTES);
    const page = await h.openPage();
    await page.getByLabel('API token').fill(h.stack.token);
    await page.setInputFiles('#file', { name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.waitForSelector('#error:not([hidden])');
    expect(await text(page, '#error')).toBe(
      `The file is too large to upload (413). The file is ${Buffer.byteLength(csv)} bytes; at most ${MAX_UPLOAD_BYTES} bytes can be uploaded.`,
    );
    expect(await page.isHidden('#progress')).toBe(true);
    expect(await page.isEnabled('#upload')).toBe(true);
    await h.stack.idle();
    expect(h.stack.importInvocations()).toBe(0);
    expect(await countLeads(h.db)).toBe(0);
  });
});
