import { z } from 'zod';
import type { LocalCaller } from './http-api.ts';

/** Shorter tokens are refused: the local API may listen beyond localhost. */
export const MIN_TOKEN_CHARS = 16;

export const localToken = z.string().min(MIN_TOKEN_CHARS, `use at least ${MIN_TOKEN_CHARS} characters`);

/**
 * `LOCAL_API_TOKENS="tokenA=alice,tokenB=bob"`: comma-separated `token=subject` pairs, so several
 * local callers exist at once. Every token must be long enough and used once; every subject non-empty.
 */
export const localCallers = z.string().transform((value, ctx): LocalCaller[] => {
  const callers: LocalCaller[] = [];
  for (const pair of value.split(',')) {
    const at = pair.indexOf('=');
    const token = at < 0 ? pair.trim() : pair.slice(0, at).trim();
    const subject = at < 0 ? '' : pair.slice(at + 1).trim();
    const problem =
      at < 0 || subject === ''
        ? `"${token.slice(0, 4)}..." needs "=subject" (format: token=subject,token=subject)`
        : !localToken.safeParse(token).success
          ? `the token for ${subject}: use at least ${MIN_TOKEN_CHARS} characters`
          : callers.some((c) => c.token === token)
            ? `the token for ${subject} is given twice`
            : undefined;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    callers.push({ token, subject });
  }
  return callers;
});
