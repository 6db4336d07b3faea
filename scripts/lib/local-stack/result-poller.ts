import { setTimeout as sleep } from 'node:timers/promises';
import type { ImportResult } from '#core/contract/result';

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * Polls a (presigned) result URL the way a client of the local stack does, until the result exists
 * and is no longer `processing`. 404 is "not written yet" and 5xx is retried, as S3 asks. Each read
 * is bounded: the local S3 server rewrites objects in place, so a read racing a rewrite can be cut
 * short of its Content-Length (or parse torn) and would otherwise hang until the socket times out;
 * bounded, it is one missed poll. Any other status throws with the server's answer.
 */
export async function waitForResult(
  url: string,
  { timeoutMs = 60_000, pollMs = 100 }: WaitOptions = {},
): Promise<ImportResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const read = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      .then(async (res) => ({ status: res.status, text: await res.text() }))
      .catch(() => undefined);
    if (read?.status === 200) {
      const result = parseOrUndefined(read.text);
      if (result && result.status !== 'processing') return result;
    } else if (read && read.status !== 404 && read.status < 500) {
      throw new Error(`result URL answered ${read.status}: ${read.text}`);
    }
    if (Date.now() > deadline) throw new Error(`no result at ${url} after ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

function parseOrUndefined(text: string): ImportResult | undefined {
  try {
    return JSON.parse(text) as ImportResult;
  } catch {
    return undefined;
  }
}
