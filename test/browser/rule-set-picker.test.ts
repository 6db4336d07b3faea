import { describe, expect, it } from 'vitest';
import { csvText, HEADER, validLead } from '#test/csv';
import { countLeads } from '#test/database';
import { tableRows, text, usePage } from './browser.ts';

const ctx = usePage();

/** Through the local stack's HTTP API with the page's token, as a caller would. */
async function putRuleSet(name: string, rules: unknown): Promise<void> {
  const res = await fetch(`${ctx.h.stack.apiUrl}/rule-sets/${name}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ctx.h.stack.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(rules),
  });
  expect(res.status).toBe(200);
}

// Ten leads: two in an industry the rule set does not allow, one with a free-mail address.
const rows = Array.from({ length: 10 }, (_, i) => validLead(i));
rows[2]![1] = 'Retail';
rows[6]![1] = 'Mining';
rows[8]![5] = 'someone@gmail.com';
const file = { name: 'leads-for-rules.csv', mimeType: 'text/csv', buffer: Buffer.from(csvText([HEADER, ...rows])) };

describe('upload page: rule sets', () => {
  it('lists the caller’s rule sets once the token is there, with none chosen', async () => {
    await putRuleSet('emea-sales', {
      allowed: { industry: ['Analytics', 'Software'] },
      email_domains: { deny: ['gmail.com'] },
    });
    await putRuleSet('other', { phone: 'valid' });
    expect(await ctx.page.isDisabled('#rule-set')).toBe(true);
    await ctx.page.getByLabel('API token').fill(ctx.h.stack.token);
    await ctx.page.getByLabel('API token').dispatchEvent('change');
    await ctx.page.waitForSelector('#rule-set:not([disabled])');
    const labels = await ctx.page.$$eval('#rule-set option', (options) => options.map((o) => o.textContent));
    expect(labels).toEqual(['None: built-in rules only', 'emea-sales (version 1)', 'other (version 1)']);
    expect(await ctx.page.inputValue('#rule-set')).toBe('');
  });

  it('imports with the chosen rule set and shows its errors in the result table', async () => {
    await ctx.page.setInputFiles('#file', file);
    await ctx.page.waitForSelector('#preview:not([hidden])');
    await ctx.page.getByLabel('Error threshold (% of rows)').fill('50');
    await ctx.page.getByLabel('Rule set').selectOption('emea-sales');
    await ctx.page.getByRole('button', { name: 'Upload and import' }).click();
    await ctx.page.waitForSelector('#result:not([hidden])', { timeout: 60_000 });

    expect(await text(ctx.page, '#error')).toBe('');
    expect(await text(ctx.page, '#result-status')).toBe('succeeded');
    expect(await text(ctx.page, '#count-failed')).toBe('3');
    const errors = await tableRows(ctx.page, '#row-errors-table');
    expect(errors.map(([row, column, value]) => [row, column, value])).toEqual([
      ['4', 'industry', 'Retail'],
      ['8', 'industry', 'Mining'],
      ['10', 'contact_email', 'someone@gmail.com'],
    ]);
    expect(errors[0]![3]).toContain('is not one of the values the rule set allows');
    expect(errors[2]![3]).toContain('domain gmail.com is one the rule set refuses');
    expect(await countLeads(ctx.h.db)).toBe(7);
    for (const width of [1280, 390]) {
      await ctx.page.setViewportSize({ width, height: 900 });
      await ctx.page.screenshot({ path: `test-results/rule-set-result-${width}.png`, fullPage: true });
    }
  });
});
