import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** scheme?, ASCII host with a dot, rest: the common case, normalized without building a URL object. */
const SIMPLE_WEBSITE =
  /^(?:(https?):\/\/)?((?:[A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*)((?:[/?#][!$&'()*+,\-./0-9:;=?@A-Z_a-z~%]*)?)$/i;
/** SIMPLE_WEBSITE already written as it normalizes (scheme, lower-case host): returned as it is. */
const NORMAL_WEBSITE = /^https?:\/\/(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*(?:[/?#][!$&'()*+,\-./0-9:;=?@A-Z_a-z~%]*)?$/;
/** Paths with dot segments take the URL parser, which resolves them. */
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;

/** Website with a scheme and a lower-case host; undefined when it is not a usable URL. */
export function normalizeWebsite(website: string): string | undefined {
  if (DOT_SEGMENT.test(website)) return viaUrl(website);
  if (NORMAL_WEBSITE.test(website)) return website;
  const simple = SIMPLE_WEBSITE.exec(website);
  if (simple) return `${(simple[1] ?? 'https').toLowerCase()}://${simple[2]!.toLowerCase()}${simple[3]}`;
  return viaUrl(website);
}

function viaUrl(website: string): string | undefined {
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
/** Punctuation a plainly written phone may hold besides digits: ( ) . - / and whitespace (\s, Unicode included). */
const WHITESPACE = /\s/;
const isPhonePunctuation = (c: number): boolean =>
  c === 40 ||
  c === 41 ||
  c === 45 ||
  c === 46 ||
  c === 47 ||
  c === 32 ||
  (c >= 9 && c <= 13) ||
  (c > 127 && WHITESPACE.test(String.fromCharCode(c)));

/**
 * The North American fast path in one pass over the characters, no regex or intermediate strings:
 * `+`? then digits, whitespace and ( ) . - /. Returns the E.164 number, undefined when it has that
 * shape but is not a valid NANP number, or null when libphonenumber must decide.
 */
function plainNanp(phone: string, region: string): string | undefined | null {
  const n = phone.length;
  const international = phone.charCodeAt(0) === 43; // +
  let i = international ? 1 : 0;
  if (i === n) return null;
  let count = 0;
  let first = -1;
  let value = 0;
  for (; i < n; i++) {
    const c = phone.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (count === 0) first = c - 48;
      if (++count <= 11) value = value * 10 + (c - 48);
    } else if (!isPhonePunctuation(c)) return null;
  }
  const national = nanpNational(international, count, first, value, region);
  if (national === -1) return null;
  return isNxx(national) ? `+1${national}` : undefined;
}

/** The 10-digit national number of a plainly written NANP phone, -1 when libphonenumber must decide. */
function nanpNational(international: boolean, count: number, first: number, value: number, region: string): number {
  if (international) return first === 1 && count === 11 ? value - 1e10 : -1;
  if (!NANP_REGIONS.has(region)) return -1;
  if (count === 11 && first === 1) return value - 1e10;
  return count === 10 ? value : -1;
}

/** NXX-NXX-XXXX: area code and exchange start with 2-9. */
const isNxx = (national: number): boolean => national >= 2e9 && Math.floor(national / 1e6) % 10 >= 2;

/**
 * plainNanp over a printable-ASCII phone held as bytes `[from, to)`: the national number when it
 * normalizes to `+1` and those 10 digits, else -1 (normalizePhone on the text then decides).
 */
export function asciiNanp(bytes: Uint8Array, from: number, to: number, region: string): number {
  const international = bytes[from] === 43; // +
  let i = international ? from + 1 : from;
  if (i === to) return -1;
  let count = 0;
  let first = -1;
  let value = 0;
  for (; i < to; i++) {
    const c = bytes[i]!;
    if (c >= 48 && c <= 57) {
      if (count === 0) first = c - 48;
      if (++count <= 11) value = value * 10 + (c - 48);
    } else if (!isPhonePunctuation(c)) return -1;
  }
  const national = nanpNational(international, count, first, value, region);
  return national !== -1 && isNxx(national) ? national : -1;
}

/**
 * Phone in E.164 when it parses for the region, else undefined (the caller keeps what was written).
 * North American numbers written plainly are by far the commonest and take a fast path that checks
 * their shape only (NXX-NXX-XXXX: 10 digits, area code and exchange not starting with 0 or 1), not
 * libphonenumber's list of assigned area codes; everything else goes through libphonenumber, which
 * costs ~10 µs per number (10 s per million rows).
 */
export function normalizePhone(phone: string, region: string): string | undefined {
  const plain = plainNanp(phone, region);
  if (plain !== null) return plain;
  const parsed = parsePhoneNumberFromString(phone, region as CountryCode, metadata);
  return parsed?.isValid() ? parsed.number : undefined;
}
