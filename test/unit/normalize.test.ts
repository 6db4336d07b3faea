import { describe, expect, it } from 'vitest';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';
import { normalizePhone, normalizeWebsite } from '#core/rows/normalize';

describe('normalizeWebsite', () => {
  it.each([
    ['a bare domain gets https', 'example.com', 'https://example.com'],
    [
      'the host is lower-cased, the path and query kept as written',
      'WWW.Example.COM/About-Us?Ref=CSV#Team',
      'https://www.example.com/About-Us?Ref=CSV#Team',
    ],
    ['an explicit http scheme is kept', 'http://example.org', 'http://example.org'],
    ['an upper-case scheme is accepted', 'HTTPS://EXAMPLE.ORG', 'https://example.org'],
    ['a trailing slash is kept', 'example.com/', 'https://example.com/'],
    ['a port is kept', 'shop.example.com:8443/cart', 'https://shop.example.com:8443/cart'],
    ['an internationalized host becomes punycode', 'müller.de', 'https://xn--mller-kva.de'],
  ])('%s', (_name, input, expected) => {
    expect(normalizeWebsite(input)).toBe(expected);
  });

  it.each([
    ['contains a space', 'example .com'],
    ['has no dot in the host', 'localhost'],
    ['is not http(s)', 'ftp://files.example.com'],
    ['is not a URL at all', 'n/a'],
    ['is empty after the scheme', 'https://'],
  ])('is undefined when the value %s', (_name, input) => {
    expect(normalizeWebsite(input)).toBeUndefined();
  });
});

describe('normalizeWebsite on websites already written normalized', () => {
  // The general rule for a scheme and an ASCII host: lower-case both, keep the rest as written.
  const reference = (website: string) => {
    const m =
      /^(?:(https?):\/\/)?((?:[A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*)((?:[/?#][!$&'()*+,\-./0-9:;=?@A-Z_a-z~%]*)?)$/i.exec(
        website,
      );
    return m ? `${(m[1] ?? 'https').toLowerCase()}://${m[2]!.toLowerCase()}${m[3]}` : undefined;
  };

  it('returns what the general rule gives, on generated websites of every case and shape', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = (chars: string) => chars[Math.floor(random() * chars.length)]!;
    const run = (chars: string, max: number) =>
      Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(chars)).join('');
    let unchanged = 0;
    for (let i = 0; i < 20_000; i++) {
      const scheme =
        pick('hHs') === 'h' ? 'https://' : pick('hH') === 'H' ? 'HTTP://' : random() < 0.5 ? 'http://' : '';
      const labels = Array.from({ length: 1 + Math.floor(random() * 3) }, () => run('abcXyz09-', 8));
      const tld = pick('abcZ') + run('abc-9', 3);
      const rest = random() < 0.5 ? '' : pick('/?#') + run("aZ09/._~%-?=&+!'()*,;:@#", 12);
      const website = `${scheme}${labels.join('.')}.${tld}${rest}`;
      if (/\/\.\.?(?:[/?#]|$)/.test(website)) continue; // dot segments go through the URL parser
      const expected = reference(website);
      if (expected === undefined) continue;
      expect(normalizeWebsite(website), website).toBe(expected);
      if (expected === website) unchanged++;
    }
    expect(unchanged).toBeGreaterThan(1000); // the already-normalized shape was exercised
  });
});

describe('normalizePhone', () => {
  it.each([
    ['(212) 555-0143', 'US', '+12125550143'],
    ['212-555-0143', 'US', '+12125550143'],
    ['212.555.0143', 'US', '+12125550143'],
    ['212/555/0143', 'US', '+12125550143'],
    ['1 212 555 0143', 'US', '+12125550143'],
    ['+1 (212) 555-0143', 'US', '+12125550143'],
    ['(416) 555-0143', 'CA', '+14165550143'],
    ['+1 212 555 0143', 'DE', '+12125550143'],
    ['+44 20 7946 0958', 'US', '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['030 901820', 'DE', '+4930901820'],
  ])('writes %s (%s) as E.164 %s', (input, region, expected) => {
    expect(normalizePhone(input, region)).toBe(expected);
  });

  it.each([
    ['too short', '555-0143', 'US'],
    ['an area code starting with 1', '(123) 555-0143', 'US'],
    ['an area code starting with 0', '(023) 555-0143', 'US'],
    ['an exchange starting with 1', '(212) 155-0143', 'US'],
    ['an exchange starting with 0', '(212) 055-0143', 'US'],
    ['too many digits', '212 555 0143 99', 'US'],
    ['not a number', 'call the front desk', 'US'],
    ['an empty value', '', 'US'],
  ])('is undefined for %s', (_name, input, region) => {
    expect(normalizePhone(input, region)).toBeUndefined();
  });
});

/** The regex-based North American fast path normalizePhone had before its one-pass loop: the reference. */
function referencePhone(phone: string, region: string): string | undefined {
  if (/^\+?[\d\s().\-/]+$/.test(phone)) {
    const digits = phone.replace(/[\s().\-/]/g, '');
    const international = digits.startsWith('+');
    const national = international
      ? digits.startsWith('+1')
        ? digits.slice(2)
        : undefined
      : digits.length === 11 && digits.startsWith('1')
        ? digits.slice(1)
        : digits;
    if (
      national !== undefined &&
      (international || ['US', 'CA', 'PR', 'GU', 'VI', 'AS', 'MP'].includes(region)) &&
      national.length === 10
    )
      return national.charCodeAt(0) >= 50 && national.charCodeAt(3) >= 50 ? `+1${national}` : undefined;
  }
  const parsed = parsePhoneNumberFromString(phone, region as CountryCode, metadata);
  return parsed?.isValid() ? parsed.number : undefined;
}

describe('normalizePhone against the regex reference', () => {
  it('gives the same answer on generated phone-like strings in NANP and other regions', () => {
    let a = 19;
    const random = () => {
      a = (Math.imul(a, 1103515245) + 12345) >>> 0;
      return a / 4294967296;
    };
    const CHARS = ['+', '1', '1', '2', '0', '5', '9', '3', ' ', '(', ')', '-', '.', '/', '\u00a0', '\u3000', 'x', '\t'];
    const disagreements: string[] = [];
    let valid = 0;
    for (let i = 0; i < 6_000; i++) {
      const length = 1 + Math.floor(random() * 16);
      // Mostly digits, so 10- and 11-digit numbers are common.
      const phone = Array.from({ length }, () =>
        random() < 0.7 ? String(Math.floor(random() * 10)) : CHARS[Math.floor(random() * CHARS.length)],
      ).join('');
      const region = ['US', 'CA', 'GB'][i % 3]!;
      const expected = referencePhone(phone, region);
      if (expected !== undefined) valid++;
      if (normalizePhone(phone, region) !== expected) disagreements.push(`${JSON.stringify(phone)} ${region}`);
    }
    expect(disagreements).toEqual([]);
    expect(valid).toBeGreaterThan(150);
  });
});
