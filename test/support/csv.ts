export const HEADER = [
  'company_name',
  'industry',
  'company_website',
  'company_size',
  'contact_name',
  'contact_email',
  'contact_phone',
  'contact_title',
  'notes',
];

const quote = (cell: string) => (/[",\r\n;\t|]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
export const csvText = (rows: string[][], eol = '\n', delimiter = ','): string =>
  rows.map((r) => r.map(quote).join(delimiter)).join(eol) + eol;

/** Every generated lead gets an e-mail no other call produced, so files never duplicate each other by accident. */
let sequence = 0;
export const validLead = (i: number): string[] => [
  `Omega Systems ${i}`,
  'Analytics',
  `https://omegasystems${i}.com`,
  '1-10',
  'David Miller',
  `david${i}.${++sequence}@omegasystems${i}.com`,
  '(212) 555-0143',
  'CTO',
  '',
];
export const invalidLead = (i: number): string[] => [
  `Broken Co ${i}`,
  'Analytics',
  '',
  '',
  '',
  `not-an-email-${i}`,
  '',
  '',
  '',
];

/** `total` data rows of which `invalidCount` are invalid, spread evenly (every `step`-th row from the first). */
export function leadsCsv(total: number, invalidCount = 0): string {
  const step = Math.floor(total / Math.max(invalidCount, 1));
  const rows = [HEADER];
  for (let i = 0; i < total; i++)
    rows.push(i % Math.max(1, step) === 0 && i / step < invalidCount ? invalidLead(i) : validLead(i));
  return csvText(rows);
}
