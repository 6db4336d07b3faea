import { describe, expect, it } from 'vitest';
import { CopyOutput, type CopyPart } from '#core/copy/copy-output';
import { ownedParts } from '#runtime/engine-protocol';

const ARENA = 1024 * 1024;

/** One line of `size` bytes (digits of its number, then dots), written as fast-row writes: reserve, fill, move pos. */
function writeLine(out: CopyOutput, n: number, size: number): string {
  const line = `${n}:`.padEnd(size - 1, '.') + '\n';
  const buffer = out.reserve(line.length);
  out.pos += buffer.write(line, out.pos, 'latin1');
  return line;
}

/** Writes `lines` lines and takes a part after every `perPart`; returns the parts and the text each must hold. */
function fill(
  out: CopyOutput,
  lines: number,
  perPart: number,
  from = 0,
): { parts: Required<CopyPart>[]; texts: string[] } {
  const parts: Required<CopyPart>[] = [];
  const texts: string[] = [];
  let text = '';
  for (let n = from; n < from + lines; n++) {
    text += writeLine(out, n, 1000);
    if ((n - from + 1) % perPart === 0) {
      parts.push(out.take(0)!);
      texts.push(text);
      text = '';
    }
  }
  return { parts, texts };
}

const text = (part: CopyPart) => Buffer.from(part.bytes).toString('latin1');

describe('CopyOutput', () => {
  it('keeps every part it handed out intact while it is held, across many arenas', () => {
    // Arrange: about 5 MiB of output, nothing released.
    const out = new CopyOutput();
    // Act
    const { parts, texts } = fill(out, 5000, 37);
    // Assess
    expect(parts.map(text)).toEqual(texts);
    expect(new Set(parts.map((p) => p.bytes.buffer)).size).toBeGreaterThanOrEqual(5);
  });

  it('writes again into a full arena once every part viewing it is released', () => {
    // Arrange
    const out = new CopyOutput();
    const seen = new Set<ArrayBufferLike>();
    // Act: each part is checked and released at once, as copy-leads does once it is written.
    let reused = 0;
    for (let round = 0; round < 6; round++) {
      const { parts, texts } = fill(out, 1000, 50, round * 1000);
      parts.forEach((part, i) => {
        expect(text(part)).toBe(texts[i]);
        if (seen.has(part.bytes.buffer) && part.bytes.byteOffset === 0) reused++;
        seen.add(part.bytes.buffer);
        part.release();
      });
    }
    // Assess: about 6 MiB written through two arenas, each written again from its start.
    expect(seen.size).toBe(2);
    expect(reused).toBeGreaterThanOrEqual(4);
  });

  it('never writes into an arena a part still views, even when all its other parts are released', () => {
    // Arrange: the first part is held (as a COPY chunk still in the socket would be), the rest released.
    const out = new CopyOutput();
    const { parts, texts } = fill(out, 200, 20);
    const held = parts[0]!;
    for (const part of parts.slice(1)) part.release();
    // Act: 4 MiB more, released as they come.
    for (let round = 1; round <= 4; round++) {
      const more = fill(out, 1000, 25, round * 1000);
      for (const part of more.parts) {
        // Its own arena may go on after it, never over it.
        if (part.bytes.buffer === held.bytes.buffer)
          expect(part.bytes.byteOffset).toBeGreaterThanOrEqual(held.bytes.byteLength);
        expect(text(part)).toBe(more.texts[more.parts.indexOf(part)]);
        part.release();
      }
    }
    // Assess
    expect(text(held)).toBe(texts[0]);
    // Released late, its arena is reused after all.
    held.release();
    held.release();
    const after = fill(out, 2000, 25, 10_000);
    expect(after.parts.some((part) => part.bytes.buffer === held.bytes.buffer)).toBe(true);
    expect(after.parts.map(text)).toEqual(after.texts);
  });

  it('gives a line larger than an arena an arena of its own size', () => {
    // Arrange
    const out = new CopyOutput();
    const small = writeLine(out, 1, 100);
    // Act
    const big = writeLine(out, 2, ARENA + 10);
    const part = out.take(0)!;
    // Assess
    expect(text(part)).toBe(small + big);
  });
});

describe('ownedParts (parts posted from the worker thread)', () => {
  it('copies and releases a part that views an arena, so the arena stays with the engine and can be posted', () => {
    // Arrange
    const out = new CopyOutput();
    const { parts, texts } = fill(out, 1200, 100);
    let released = 0;
    const engineParts = parts.map((part, i) => ({
      bytes: part.bytes,
      linesSoFar: (i + 1) * 100,
      release: () => {
        released++;
        part.release();
      },
    }));
    // Act
    const owned = ownedParts(engineParts);
    // Assess
    expect(released).toBe(parts.length);
    for (const [i, part] of owned.entries()) {
      expect(part.release).toBeUndefined();
      expect(part.bytes.byteOffset).toBe(0);
      expect(part.bytes.byteLength).toBe(part.bytes.buffer.byteLength);
      expect(Buffer.from(part.bytes).toString('latin1')).toBe(texts[i]);
      expect(part.linesSoFar).toBe((i + 1) * 100);
    }
    // A function cannot cross a thread: what is posted must clone.
    expect(() => structuredClone(owned)).not.toThrow();
  });
});
