import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** scheme?, ASCII host with a dot, rest: the common case, normalized without building a URL object. */
const SIMPLE_WEBSITE =
  /^(?:(https?):\/\/)?((?:[A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*)((?:[/?#][!$&'()*+,\-./0-9:;=?@A-Z_a-z~%]*)?)$/i;
/** Paths with dot segments take the URL parser, which resolves them. */
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;

/** Website with a scheme and a lower-case host; undefined when it is not a usable URL. */
export function normalizeWebsite(website: string): string | undefined {
  const simple = DOT_SEGMENT.test(website) ? null : SIMPLE_WEBSITE.exec(website);
  if (simple) return `${(simple[1] ?? 'https').toLowerCase()}://${simple[2]!.toLowerCase()}${simple[3]}`;
  if (website.includes(' ')) return undefined;
  try {
    const url = new URL(HAS_SCHEME.test(website) ? website : `https://${website}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (!url.hostname.includes('.')) return undefined;
    // URL already lower-cases the host; keep path and query exactly as written.
    const path = url.pathname === '/' && !website.endsWith('/') ? '' : url.pathname;
    return `${url.protocol}//${url.host}${path}${url.search}${url.hash}`;
  } catch {
    return undefined;
  }
}

const NANP_REGIONS = new Set(['US', 'CA', 'PR', 'GU', 'VI', 'AS', 'MP']);
const PHONE_PUNCTUATION = /[\s().\-/]/g;
const PLAIN_PHONE = /^\+?[\d\s().\-/]+$/;

/**
 * Phone in E.164 when it parses for the region, else undefined (the caller keeps what was written).
 * North American numbers written plainly are by far the commonest and take a fast path that checks
 * their shape only (NXX-NXX-XXXX: 10 digits, area code and exchange not starting with 0 or 1), not
 * libphonenumber's list of assigned area codes; everything else goes through libphonenumber, which
 * costs ~10 µs per number (10 s per million rows).
 */
export function normalizePhone(phone: string, region: string): string | undefined {
  if (PLAIN_PHONE.test(phone)) {
    const digits = phone.replace(PHONE_PUNCTUATION, '');
    const international = digits.startsWith('+');
    const national = international
      ? digits.startsWith('+1')
        ? digits.slice(2)
        : undefined
      : digits.length === 11 && digits.startsWith('1')
        ? digits.slice(1)
        : digits;
    if (national !== undefined && (international || NANP_REGIONS.has(region)) && national.length === 10) {
      const area = national.charCodeAt(0);
      const exchange = national.charCodeAt(3);
      return area >= 50 && exchange >= 50 ? `+1${national}` : undefined;
    }
  }
  const parsed = parsePhoneNumberFromString(phone, region as CountryCode, metadata);
  return parsed?.isValid() ? parsed.number : undefined;
}
