/** A deterministic pseudo-random CSV with quotes, doubled quotes, delimiters, non-ASCII, controls and all line endings. */
export function randomCsv(seed: number, rows: number): string {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pieces = ['a', 'bc', ' ', 'é', '東', ',', '""', '\n', 'x y', '\t', '\\'];
  const cell = () => {
    const plain = next() < 0.6;
    let text = '';
    const length = Math.floor(next() * 6);
    for (let i = 0; i < length; i++) {
      const piece = pieces[Math.floor(next() * pieces.length)]!;
      if (plain && /[,"\r\n]/.test(piece)) continue;
      text += piece;
    }
    return plain ? text : `"${text.replaceAll('""', '"').replaceAll('"', '""')}"`;
  };
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) lines.push(Array.from({ length: 1 + Math.floor(next() * 5) }, cell).join(','));
  return lines.join(next() < 0.5 ? '\n' : '\r\n') + '\n';
}
