const INITIAL_BYTES = 128 * 1024;

/**
 * The engine's COPY text as UTF-8 bytes, in order: lines built as strings (the text path) and lines
 * written straight as bytes (#core/fast-row). Strings wait and are encoded together, as one string,
 * when bytes follow or the output is taken: one encode per run of them, not one per line.
 */
export class CopyOutput {
  #buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  /** Bytes written so far; fast-row reads it, writes up to the room it reserved, and sets it. */
  pos = 0;
  #text = '';

  appendText(line: string): void {
    this.#text += line;
  }

  /** The buffer, with room for `bytes` more bytes from `pos`. */
  reserve(bytes: number): Buffer {
    if (this.#text !== '') this.#encodeText();
    if (this.pos + bytes > this.#buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.#buffer.length * 2, this.pos + bytes));
      this.#buffer.copy(grown, 0, 0, this.pos);
      this.#buffer = grown;
    }
    return this.#buffer;
  }

  /**
   * Everything written since the last take, in a buffer of its own (it may move to another thread),
   * or undefined when nothing was.
   */
  take(): Buffer | undefined {
    if (this.pos === 0) {
      if (this.#text === '') return undefined;
      const bytes = Buffer.from(this.#text, 'utf8');
      this.#text = '';
      return bytes;
    }
    if (this.#text !== '') this.#encodeText();
    const bytes = Buffer.allocUnsafeSlow(this.pos);
    this.#buffer.copy(bytes, 0, 0, this.pos);
    this.pos = 0;
    return bytes;
  }

  #encodeText(): void {
    const text = this.#text;
    this.#text = '';
    // Three bytes per UTF-16 unit at most.
    const buffer = this.reserve(text.length * 3);
    this.pos += buffer.write(text, this.pos, 'utf8');
  }
}
