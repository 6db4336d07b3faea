import { isUtf8 } from 'node:buffer';
import { FileError } from '../contract/errors.ts';
import type { DetectedEncoding, EncodingOption } from '../contract/options.ts';

/** How many bytes to look at before deciding on an encoding. */
const SNIFF_BYTES = 64 * 1024;
/** Share of control bytes above which a file is treated as binary, not text. */
const MAX_CONTROL_SHARE = 0.01;

const BOM_UTF8 = [0xef, 0xbb, 0xbf];
const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/**
 * Turns the uploaded bytes into text for the tokenizer, whatever the source encoding.
 * Pure and incremental: feed chunks with write(), finish with end(). UTF-8 is validated on the
 * bytes and each chunk is cut on a character boundary, so every chunk decodes on its own.
 */
export class ByteDecoder {
  #option: EncodingOption;
  #encoding: DetectedEncoding | undefined;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #utf8Tail: Buffer = Buffer.alloc(0);
  #textDecoder: TextDecoder | undefined;
  #offset = 0;

  constructor(option: EncodingOption = 'auto') {
    this.#option = option;
  }

  get encoding(): DetectedEncoding | undefined {
    return this.#encoding;
  }

  write(chunk: Uint8Array): string[] {
    const buffer = asBuffer(chunk);
    if (this.#encoding === undefined) {
      this.#pending.push(buffer);
      this.#pendingBytes += buffer.length;
      if (this.#pendingBytes < SNIFF_BYTES) return [];
      return this.#startWith(Buffer.concat(this.#pending), false);
    }
    return this.#convert(buffer, false);
  }

  end(): string[] {
    if (this.#encoding === undefined) {
      const all = Buffer.concat(this.#pending);
      if (all.length === 0) throw new FileError('EMPTY_FILE', 'The file is empty: it has no header row and no leads.');
      return this.#startWith(all, true);
    }
    return this.#convert(Buffer.alloc(0), true);
  }

  /** The encoding is known and is UTF-8: writeBytes() may take over from write(). */
  get isUtf8(): boolean {
    return this.#encoding === 'utf-8' || this.#encoding === 'utf-8-bom';
  }

  /**
   * write() for a UTF-8 file once its encoding is known: the same checks, but the validated bytes,
   * cut on a character boundary, instead of their text (#core/parse/byte-tokenizer reads them).
   */
  writeBytes(chunk: Uint8Array): Buffer {
    const buffer = asBuffer(chunk);
    const whole = this.#validUtf8(buffer, false);
    this.#offset += buffer.length;
    return whole;
  }

  endBytes(): Buffer {
    return this.#validUtf8(Buffer.alloc(0), true);
  }

  #startWith(sample: Buffer, final: boolean): string[] {
    this.#pending = [];
    const { encoding, bomLength } = detectEncoding(sample, this.#option);
    this.#encoding = encoding;
    if (encoding === 'utf-16le' || encoding === 'utf-16be') {
      // ignoreBOM keeps us in control: the BOM was already measured and is sliced off below.
      this.#textDecoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
    }
    this.#offset = bomLength;
    return this.#convert(sample.subarray(bomLength), final);
  }

  #convert(chunk: Buffer, final: boolean): string[] {
    const out =
      this.#encoding === 'windows-1252'
        ? this.#decode1252(chunk)
        : this.#textDecoder
          ? this.#decodeText(chunk, final)
          : this.#passUtf8(chunk, final);
    this.#offset += chunk.length;
    return out.length === 0 ? [] : [out];
  }

  #passUtf8(chunk: Buffer, final: boolean): string {
    // Cut on a character boundary, so the chunk decodes on its own.
    return this.#validUtf8(chunk, final).toString('utf8');
  }

  #validUtf8(chunk: Buffer, final: boolean): Buffer {
    const start = this.#offset - this.#utf8Tail.length;
    const bytes = this.#utf8Tail.length > 0 ? Buffer.concat([this.#utf8Tail, chunk]) : chunk;
    const cut = final ? bytes.length : completeUtf8Length(bytes);
    const whole = bytes.subarray(0, cut);
    this.#utf8Tail = Buffer.from(bytes.subarray(cut));
    if (!isUtf8(whole)) {
      throw new FileError(
        'ENCODING_INVALID',
        `The file is not valid UTF-8 (first bad byte near byte ${start + firstInvalidUtf8(whole)}). ` +
          'Save it as "CSV UTF-8", or set the encoding option (for example windows-1252).',
        { detail: { encoding: this.#encoding } },
      );
    }
    if (whole.indexOf(0) !== -1) throw binaryContent();
    return whole;
  }

  #decode1252(chunk: Buffer): string {
    if (chunk.indexOf(0) !== -1) throw binaryContent();
    return decodeWindows1252(chunk);
  }

  #decodeText(chunk: Buffer, final: boolean): string {
    let text: string;
    try {
      text = this.#textDecoder!.decode(chunk, { stream: !final });
    } catch (cause) {
      throw new FileError(
        'ENCODING_INVALID',
        `The file is not valid ${this.#encoding} text (near byte ${this.#offset}). Check the encoding it was saved with.`,
        { cause, detail: { encoding: this.#encoding } },
      );
    }
    if (text.includes('\0')) throw binaryContent();
    return text;
  }
}

/** A view of the same bytes as a Buffer (a plain Uint8Array arrives from the worker thread). */
const asBuffer = (chunk: Uint8Array): Buffer =>
  Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

const binaryContent = () =>
  new FileError(
    'BINARY_CONTENT',
    'The file contains binary data (NUL or control bytes), not CSV text. Upload the CSV export, not a spreadsheet or archive.',
  );

export function detectEncoding(
  sample: Buffer,
  option: EncodingOption,
): { encoding: DetectedEncoding; bomLength: number } {
  if (startsWith(sample, BOM_UTF8) && (option === 'auto' || option === 'utf-8'))
    return { encoding: 'utf-8-bom', bomLength: 3 };
  if (startsWith(sample, [0xff, 0xfe]) && (option === 'auto' || option === 'utf-16le'))
    return { encoding: 'utf-16le', bomLength: 2 };
  if (startsWith(sample, [0xfe, 0xff]) && (option === 'auto' || option === 'utf-16be'))
    return { encoding: 'utf-16be', bomLength: 2 };
  if (option !== 'auto') return { encoding: option, bomLength: 0 };

  const utf16 = guessBomlessUtf16(sample);
  if (utf16) return { encoding: utf16, bomLength: 0 };
  if (sample.indexOf(0) !== -1 || controlShare(sample) > MAX_CONTROL_SHARE) throw binaryContent();
  const whole = sample.subarray(0, completeUtf8Length(sample));
  return { encoding: isUtf8(whole) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

/** UTF-16 without a BOM shows as a zero byte in every other position of ASCII text. */
function guessBomlessUtf16(sample: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(sample.length, 1024) & ~1;
  if (n < 8) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (sample[i] === 0) evenZero++;
    if (sample[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.7 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.7 && oddZero < pairs * 0.05) return 'utf-16be';
  return undefined;
}

function controlShare(sample: Buffer): number {
  const n = Math.min(sample.length, SNIFF_BYTES);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = sample[i]!;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) || b === 0x7f) control++;
  }
  return n === 0 ? 0 : control / n;
}

/** Length of the prefix that ends on a UTF-8 sequence boundary (a split character waits for the next chunk). */
export function completeUtf8Length(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

function firstInvalidUtf8(bytes: Buffer): number {
  // Only on the error path: walk the sequences to the first one that breaks.
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const extra = lead < 0x80 ? 0 : lead >> 5 === 6 ? 1 : lead >> 4 === 14 ? 2 : lead >> 3 === 30 ? 3 : -1;
    if (extra < 0) return i;
    for (let k = 1; k <= extra; k++) if (i + k >= bytes.length || (bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += extra + 1;
  }
  return i;
}

/**
 * Windows-1252 differs from Latin-1 only in 0x80-0x9F (smart quotes, dashes, euro sign). Node 20's
 * TextDecoder('windows-1252') returns C1 control characters there, so the table is applied here.
 * The five bytes Windows-1252 leaves undefined keep their Latin-1 code points, as WHATWG does.
 */
const CP1252_HIGH =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';
const C1 = /[\u0080-\u009F]/g;
const fromC1 = (ch: string) => CP1252_HIGH[ch.charCodeAt(0) - 0x80]!;

export const decodeWindows1252 = (bytes: Buffer): string => bytes.toString('latin1').replace(C1, fromC1);
