/**
 * Deterministic lead CSV generator for samples and benchmarks: the same seed gives the same bytes.
 * Values look like the original service's sample; some notes carry quoted commas, quotes and newlines.
 */
const HEADER =
  'company_name,industry,company_website,company_size,contact_name,contact_email,contact_phone,contact_title,notes';
const PREFIXES = [
  'Omega',
  'Alpha',
  'Beta',
  'Delta',
  'Sigma',
  'Apex',
  'Nova',
  'Vertex',
  'Zenith',
  'Summit',
  'Cobalt',
  'Ember',
];
const SUFFIXES = ['Systems', 'Solutions', 'Labs', 'Analytics', 'Dynamics', 'Networks', 'Partners', 'Logistics'];
const INDUSTRIES = ['Analytics', 'Software', 'Healthcare', 'Finance', 'Retail', 'Manufacturing', 'Education', 'Energy'];
const SIZES = ['1-10', '11-50', '51-200', '201-500', '501-1000', '1000+'];
const FIRST = ['David', 'Maria', 'James', 'Linda', 'Robert', 'Sofia', 'Michael', 'Aisha', 'Chen', 'Olga'];
const LAST = ['Miller', 'Garcia', 'Smith', 'Johnson', 'Brown', 'Nguyen', 'Kowalski', 'Okafor', 'Rossi', 'Tanaka'];
const TITLES = ['CEO', 'CTO', 'VP Sales', 'Head of Marketing', 'Operations Manager', 'Procurement Lead'];

/** mulberry32: a small seeded generator (same seed, same sequence), so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratorOptions {
  rows: number;
  /** Share of rows made invalid (a malformed e-mail, which PostgreSQL's own COPY still accepts), spread evenly. */
  invalidRate?: number;
  seed?: number;
  /** Share of rows without an e-mail (trade-show scans, CRM exports), spread evenly; default none. */
  noEmailRate?: number;
  /** Rows per yielded chunk. */
  chunkRows?: number;
}

export function* generateLeadCsv({
  rows,
  invalidRate = 0,
  seed = 42,
  noEmailRate = 0,
  chunkRows = 5000,
}: GeneratorOptions): Generator<string> {
  const noEmailEvery = noEmailRate > 0 ? Math.round(1 / noEmailRate) : 0;
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const invalidEvery = invalidRate > 0 ? Math.round(1 / invalidRate) : 0;
  let chunk = HEADER + '\n';
  for (let i = 1; i <= rows; i++) {
    const company = `${pick(PREFIXES)} ${pick(SUFFIXES)} ${i}`;
    const slug = company.toLowerCase().replaceAll(' ', '');
    const first = pick(FIRST);
    const last = pick(LAST);
    const invalid = invalidEvery > 0 && i % invalidEvery === 0;
    const email = invalid
      ? `${first.toLowerCase()}.${i}@@${slug}`
      : noEmailEvery > 0 && i % noEmailEvery === 1 % noEmailEvery
        ? ''
        : `${first.toLowerCase()}.${last.toLowerCase()}${i}@${slug}.com`;
    const name = company;
    const phone = `(${200 + Math.floor(random() * 700)}) ${200 + Math.floor(random() * 700)}-${String(Math.floor(random() * 10000)).padStart(4, '0')}`;
    const r = random();
    const notes =
      r < 0.05
        ? `"Met at expo, booth ${i}; asked about ""pricing"""`
        : r < 0.07
          ? `"Follow up in Q${1 + (i % 4)}\nsecond line"`
          : r < 0.5
            ? `Lead ${i}`
            : '';
    chunk += `${name},${pick(INDUSTRIES)},https://${slug}.com,${pick(SIZES)},${first} ${last},${email},${phone},${pick(TITLES)},${notes}\n`;
    if (i % chunkRows === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
