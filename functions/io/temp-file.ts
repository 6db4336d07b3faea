import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asImportError } from '#core/contract/errors';

const rethrow = (error: unknown): never => {
  throw asImportError(error);
};

/** A text file written with backpressure; holds rejected rows without keeping them in memory. */
export class TextFileSink {
  readonly path: string;
  #stream: ReturnType<typeof createWriteStream> | undefined;
  #error: Error | undefined;

  constructor(
    readonly key: string,
    path: string,
  ) {
    this.path = path;
  }

  static temp(key: string, name: string): TextFileSink {
    return new TextFileSink(key, join(tmpdir(), name));
  }

  async write(text: string): Promise<void> {
    if (this.#error) throw this.#error;
    if (!this.#stream) {
      this.#stream = createWriteStream(this.path);
      // ENOSPC becomes TEMP_STORAGE_FULL: Node's codes never reach the result.
      this.#stream.on('error', (error) => (this.#error = asImportError(error)));
    }
    if (!this.#stream.write(text)) await once(this.#stream, 'drain').catch(rethrow);
  }

  /** Finishes the file; returns its size, or undefined when nothing was written. */
  async close(): Promise<number | undefined> {
    if (!this.#stream) return undefined;
    // A stream that failed is already destroyed and would never emit 'close' again.
    if (this.#error) throw this.#error;
    this.#stream.end();
    await once(this.#stream, 'close').catch(rethrow);
    if (this.#error) throw this.#error;
    return (await stat(this.path)).size;
  }

  async remove(): Promise<void> {
    this.#stream?.destroy();
    await rm(this.path, { force: true });
  }
}
