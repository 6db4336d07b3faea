/** Room allocated at a time; a part is a view into it, so the bytes are written once and never copied. */
const ARENA_BYTES = 1024 * 1024;

/**
 * The engine's COPY text as UTF-8 bytes, in order: lines built as strings (the text path) and lines
 * written straight as bytes (#core/fast-row). Strings wait and are encoded together, as one string,
 * when bytes follow or the output is taken: one encode per run of them, not one per line.
 *
 * Bytes go into an arena that is only ever appended to; each take() hands out a view of what was
 * written since the last one, so a part's bytes are never overwritten. A full arena is left to the
 * parts that view it (garbage once they are sent) and a new one started. Parts crossing to another
 * thread are copied there, at the boundary (runtime/engine-runner: ownedParts).
 */
export class CopyOutput {
  #arena = Buffer.allocUnsafeSlow(ARENA_BYTES);
  /** Where the part not yet taken starts. */
  #partStart = 0;
  /** Bytes written so far; fast-row reads it, writes up to the room it reserved, and sets it. */
  pos = 0;
  #text = '';

  appendText(line: string): void {
    this.#text += line;
  }

  /** The arena, with room for `bytes` more bytes from `pos`. */
  reserve(bytes: number): Buffer {
    if (this.#text !== '') this.#encodeText();
    if (this.pos + bytes > this.#arena.length) {
      // The part not yet taken moves to the start of a new arena; taken parts keep the old one.
      const pending = this.pos - this.#partStart;
      const arena = Buffer.allocUnsafeSlow(Math.max(ARENA_BYTES, pending + bytes));
      this.#arena.copy(arena, 0, this.#partStart, this.pos);
      this.#arena = arena;
      this.#partStart = 0;
      this.pos = pending;
    }
    return this.#arena;
  }

  /** Everything written since the last take, or undefined when nothing was. */
  take(): Buffer | undefined {
    if (this.pos === this.#partStart) {
      if (this.#text === '') return undefined;
      const bytes = Buffer.from(this.#text, 'utf8');
      this.#text = '';
      return bytes;
    }
    if (this.#text !== '') this.#encodeText();
    const bytes = this.#arena.subarray(this.#partStart, this.pos);
    this.#partStart = this.pos;
    return bytes;
  }

  #encodeText(): void {
    const text = this.#text;
    this.#text = '';
    // Three bytes per UTF-16 unit at most.
    const arena = this.reserve(text.length * 3);
    this.pos += arena.write(text, this.pos, 'utf8');
  }
}
