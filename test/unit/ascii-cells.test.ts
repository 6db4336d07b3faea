import { describe, expect, it } from 'vitest';
import { isAsciiEmail, isNormalAsciiWebsite } from '#core/text/ascii-cells';
import { asciiEmailHash, emailHash } from '#core/rows/email-set';
import { asciiNanp, normalizePhone, normalizeWebsite } from '#core/rows/normalize';
import { leadRowSchema } from '#core/rows/validate-row';
import { prng } from '../../scripts/lib/lead-generator.ts';

const EMAIL_PATTERN = leadRowSchema.shape.contact_email.unwrap()._zod.def.pattern!;
const bytesOf = (text: string) => Buffer.from(` ${text} `, 'latin1');
/** The check over the text's bytes, placed inside a larger buffer as the byte path sees them. */
const over = <T>(check: (b: Uint8Array, from: number, to: number) => T, text: string): T =>
  check(bytesOf(text), 1, 1 + text.length);

/** Strings from an alphabet, biased to the characters a check decides on. */
function strings(alphabet: string, count: number, maxLength: number, seed: number): string[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => {
    let text = '';
    const length = Math.floor(random() * maxLength);
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
    return text;
  });
}

describe('isAsciiEmail', () => {
  it("answers as the schema's e-mail pattern on generated and edge-case values", () => {
    const edge = [
      'a@b.co',
      'a.b@c.de',
      "o'brien@x.io",
      "a'@x.io",
      '.a@x.io',
      'a.@x.io',
      'a..b@x.io',
      'a@x',
      'a@x.c',
      'a@.x.io',
      'a@x..io',
      'a@-x.io',
      'a@x-.io',
      'a@x.i0',
      'a@b@c.io',
      '@x.io',
      'a@',
      '',
      'A+B_c-d@Sub.Example.COM',
    ];
    const generated = strings("ab.@-_'+Z09 !", 20_000, 14, 7).map((s) => s.replace(/^/, 'x'));
    const structured = strings('a.@-', 20_000, 10, 8).map((s) => `${s}@ex.${s.length % 2 ? 'com' : 'c0m'}`);
    for (const value of [...edge, ...generated, ...structured])
      expect(over(isAsciiEmail, value), JSON.stringify(value)).toBe(EMAIL_PATTERN.test(value));
  });
});

describe('asciiEmailHash', () => {
  it('equals emailHash of the same text, case folded the same way', () => {
    for (const value of [...strings('aZ.@09-_', 2_000, 40, 3), 'Zoe@Acme.Example', 'x'])
      expect(over(asciiEmailHash, value)).toBe(emailHash(value));
  });
});

describe('isNormalAsciiWebsite', () => {
  it('says yes only where normalizeWebsite keeps the website as written', () => {
    const edge = [
      'https://acme.com',
      'http://a.b.c1',
      'https://acme.com/path?q=1#top',
      'https://acme.com/',
      'https://ACME.com',
      'HTTPS://acme.com',
      'acme.com',
      'https://acme',
      'https://acme.1com',
      'https://acme.com/./x',
      'https://acme.com/a/..',
      'https://acme.com/..x',
      'https://acme.com/a.?x',
      'https://acme.com/?x=/./',
      'https://.acme.com',
      'https://acme..com',
      'https://acme.com.',
      'https://ac_me.com',
      'https://acme.com#a#b',
      'https:/acme.com',
      'https://',
      'ftp://acme.com',
    ];
    const hosts = strings('ab.-1A_', 20_000, 8, 11);
    const paths = strings('/?#.a%~:A ', 20_000, 8, 12);
    const generated = hosts.map((host, i) => `https://x${host}.com${paths[i]}`);
    let yes = 0;
    for (const value of [...edge, ...generated]) {
      const answer = over(isNormalAsciiWebsite, value);
      if (answer) {
        yes++;
        expect(normalizeWebsite(value), value).toBe(value);
      }
    }
    expect(yes).toBeGreaterThan(1000);
    expect(edge.filter((value) => over(isNormalAsciiWebsite, value))).toEqual([
      'https://acme.com',
      'http://a.b.c1',
      'https://acme.com/',
      'https://acme.com/..x',
      'https://acme.com/a.?x',
    ]);
  });
});

describe('asciiNanp', () => {
  it('gives the national number exactly where normalizePhone gives +1 and it', () => {
    const generated = strings('0123456789 ()-./+x', 30_000, 18, 5);
    const written = ['(212) 555-0143', '+1 212 555 0143', '1-212-555-0143', '212.555.0143', '+44 20 7946 0958'];
    let found = 0;
    for (const region of ['US', 'CA', 'GB'])
      for (const value of [...written, ...generated]) {
        const national = over((b, from, to) => asciiNanp(b, from, to, region), value);
        if (national !== -1) {
          found++;
          expect(normalizePhone(value, region), `${region} ${value}`).toBe(`+1${national}`);
        }
      }
    expect(found).toBeGreaterThan(100);
    expect(over((b, f, t) => asciiNanp(b, f, t, 'US'), '(212) 555-0143')).toBe(2125550143);
    expect(over((b, f, t) => asciiNanp(b, f, t, 'GB'), '(212) 555-0143')).toBe(-1);
  });
});
