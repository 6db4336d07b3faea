/** Room allocated at a time; a part is a view into it, so the bytes are written once and never copied. */
const ARENA_BYTES = 1024 * 1024;
/** Full arenas kept for reuse once nothing views them; more than this are left to the garbage collector. */
const SPARE_ARENAS = 8;

/**
 * The engine's unit of output: whole COPY BINARY rows (without the stream's header), how many rows
 * (leads; COPY counts them as lines) the output holds up to and including them, and the call that
 * says nothing reads the bytes any more. The same object travels from the engine through the
 * worker protocol to #io/copy-leads.
 */
export interface CopyPart {
  /** A view into an arena here; a plain Uint8Array of its own once it has crossed from the worker thread. */
  bytes: Uint8Array;
  linesSoFar: number;
  /**
   * Says the bytes are no longer read (written to PostgreSQL, or copied), so the engine may write over
   * them; a part never released is simply collected. Calling it twice is harmless. Absent when the
   * bytes own their memory.
   */
  release?: () => void;
}

interface Arena {
  readonly buffer: Buffer;
  /** Parts taken from it and not yet released. */
  viewers: number;
  /** Full: a new arena took over, so once nothing views this one it can be written again. */
  retired: boolean;
}

/**
 * The engine's COPY BINARY rows, in order, written straight as bytes by #core/rows/fast-row and by
 * #core/copy/copy-binary's CopyRowWriter (the text path).
 *
 * Bytes go into an arena that is only ever appended to; each take() hands out a view of what was
 * written since the last one, so a part's bytes are never overwritten while it is held. A full arena
 * whose parts have all been released is written again from the start; one still viewed is left to
 * them. Reuse matters: a fresh megabyte per megabyte of output lives long enough to reach the old
 * generation, and that churn alone made V8 run most of its full collections (37 in a 1M-lead import).
 */
export class CopyOutput {
  #arena: Arena = newArena(ARENA_BYTES);
  readonly #spare: Buffer[] = [];
  /** Where the part not yet taken starts. */
  #partStart = 0;
  /** Bytes written so far; a writer (fast-row, CopyRowWriter) reads it, writes up to the room it reserved, and sets it. */
  pos = 0;

  /** The arena's buffer, with room for `bytes` more bytes from `pos`. */
  reserve(bytes: number): Buffer {
    if (this.pos + bytes > this.#arena.buffer.length) {
      // The part not yet taken moves to the start of the next arena; taken parts keep the old one.
      const pending = this.pos - this.#partStart;
      const size = Math.max(ARENA_BYTES, pending + bytes);
      const spare = size === ARENA_BYTES ? this.#spare.pop() : undefined;
      const next = spare ? { buffer: spare, viewers: 0, retired: false } : newArena(size);
      this.#arena.buffer.copy(next.buffer, 0, this.#partStart, this.pos);
      this.#retire(this.#arena);
      this.#arena = next;
      this.#partStart = 0;
      this.pos = pending;
    }
    return this.#arena.buffer;
  }

  /** Everything written since the last take, or undefined when nothing was. */
  take(linesSoFar: number): Required<CopyPart> | undefined {
    if (this.pos === this.#partStart) return undefined;
    const arena = this.#arena;
    const bytes = arena.buffer.subarray(this.#partStart, this.pos);
    this.#partStart = this.pos;
    arena.viewers++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      arena.viewers--;
      if (arena.retired && arena.viewers === 0) this.#reuse(arena);
    };
    return { bytes, linesSoFar, release };
  }

  #retire(arena: Arena): void {
    arena.retired = true;
    if (arena.viewers === 0) this.#reuse(arena);
  }

  #reuse(arena: Arena): void {
    if (arena.buffer.length === ARENA_BYTES && this.#spare.length < SPARE_ARENAS) this.#spare.push(arena.buffer);
  }
}

const newArena = (size: number): Arena => ({ buffer: Buffer.allocUnsafeSlow(size), viewers: 0, retired: false });
