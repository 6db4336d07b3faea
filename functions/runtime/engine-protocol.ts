/**
 * The wire format between the engine runner (main thread) and the engine worker: both sides import
 * this one module, as a parser and a serializer share one messages module. What crosses is plain
 * data: byte batches in, COPY parts and reports out, and errors as fields (a class does not survive
 * structured cloning, and a function cannot be posted).
 */
import { type FileErrorCode, FileError, isFinal, type RejectionCode, RejectionError } from '#core/contract/errors';
import { engineFailed } from '#core/contract/errors';
import type { ImportOptions } from '#core/contract/options';
import type { EngineSummary } from '#core/contract/result';
import type { LoadedRuleSet } from '#core/contract/rule-set';
import type { CopyPart } from '#core/copy/copy-output';
import type { EngineLimits, EngineOutput, EngineProgress } from '#core/engine/lead-engine';

/** What the worker is started with (workerData). */
export interface EngineSetup {
  importId: string;
  options: ImportOptions;
  limits: EngineLimits;
  /** The caller's rule set, compiled by the engine (in the worker when threaded). */
  ruleSet?: LoadedRuleSet | undefined;
}

export type ToWorker = { type: 'chunk'; bytes: Uint8Array } | { type: 'end' };

export type FromWorker =
  | { type: 'output'; output: EngineOutput }
  | { type: 'summary'; output: EngineOutput; summary: EngineSummary }
  | { type: 'error'; error: SerializedError; progress: EngineProgress };

export interface SerializedError {
  kind: 'FileError' | 'RejectionError' | 'Error';
  code?: string;
  message: string;
  row?: number | undefined;
  column?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

/** An error as data: our final errors keep code and context; anything else keeps its message and stack. */
export const serializeError = (error: unknown): SerializedError =>
  isFinal(error)
    ? {
        kind: error.name as 'FileError' | 'RejectionError',
        code: error.code,
        message: error.message,
        row: error.row,
        column: error.column,
        detail: error.detail,
      }
    : { kind: 'Error', message: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) };

/** The error again on this side: a final error as it was thrown, anything else an engine failure. */
export function reviveError(e: SerializedError): FileError | RejectionError {
  const context = { row: e.row, column: e.column, detail: e.detail };
  if (e.kind === 'FileError') return new FileError(e.code as FileErrorCode, e.message, context);
  if (e.kind === 'RejectionError') return new RejectionError(e.code as RejectionCode, e.message, context);
  return engineFailed(e.message.split('\n')[0] ?? 'unknown error');
}

/**
 * Moves the parts' memory to the other thread instead of copying it, for each buffer that owns its
 * whole ArrayBuffer (large Buffers do; small ones may share Node's pool and are copied).
 */
export const transferable = (parts: readonly { bytes: Uint8Array }[]): ArrayBuffer[] =>
  parts.flatMap(({ bytes }) => transferableBuffer(bytes));

export const transferableBuffer = (bytes: Uint8Array): ArrayBuffer[] =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? [bytes.buffer]
    : [];

/**
 * The parts, each in a buffer of its own and without a release call (a function cannot be posted):
 * a part that views a buffer the engine writes again (#core/copy/copy-output's arena) is copied first and
 * released, so posting it moves exactly its bytes and the arena stays with the engine.
 */
export const ownedParts = (parts: readonly CopyPart[]): CopyPart[] =>
  parts.map(({ bytes, linesSoFar, release }) => {
    if (!release && transferableBuffer(bytes).length > 0) return { bytes, linesSoFar };
    const owned = Buffer.allocUnsafeSlow(bytes.byteLength);
    owned.set(bytes);
    release?.();
    return { bytes: owned, linesSoFar };
  });

/** The output with its COPY parts in buffers of their own, nothing left to release (ownedParts). */
export const postable = (output: EngineOutput): EngineOutput => ({ ...output, copy: ownedParts(output.copy) });
