import { DELIMITERS, type Delimiter } from '../contract/options.ts';

const SAMPLE_LINES = 20;

/**
 * Picks the delimiter from the first lines, ignoring anything inside quotes.
 * The winner appears on the header line and keeps the same count on most lines;
 * ties go to the order of DELIMITERS (comma first).
 */
export function detectDelimiter(sample: string): Delimiter {
  const counts = countPerLine(sample);
  let best: Delimiter = ',';
  let bestScore = 0;
  for (const delimiter of DELIMITERS) {
    const perLine = counts.map((line) => line.get(delimiter) ?? 0);
    const header = perLine[0] ?? 0;
    if (header === 0) continue;
    const consistent = perLine.filter((n) => n === header).length;
    const score = consistent * 1000 + header;
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

function countPerLine(sample: string): Map<string, number>[] {
  const lines: Map<string, number>[] = [];
  let current = new Map<string, number>();
  let quoted = false;
  for (let i = 0; i < sample.length && lines.length < SAMPLE_LINES; i++) {
    const ch = sample[i]!;
    if (ch === '"') {
      quoted = !quoted; // a doubled quote toggles twice, which is what we want
    } else if (!quoted && (ch === '\n' || ch === '\r')) {
      if (ch === '\r' && sample[i + 1] === '\n') i++;
      lines.push(current);
      current = new Map();
    } else if (!quoted && (DELIMITERS as readonly string[]).includes(ch)) {
      current.set(ch, (current.get(ch) ?? 0) + 1);
    }
  }
  if (current.size > 0 && lines.length < SAMPLE_LINES) lines.push(current);
  return lines;
}
