/** A one-line progress bar for terminals, redrawn at most every 100 ms. */
export function progressBar(out: NodeJS.WriteStream): {
  update: (rows: number, bytes: number, size: number) => void;
  done: () => void;
} {
  let last = 0;
  const draw = (rows: number, bytes: number, size: number) => {
    const share = size > 0 ? Math.min(1, bytes / size) : 0;
    const width = 30;
    const filled = Math.round(share * width);
    out.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${rows.toLocaleString('en-US')} rows`,
    );
  };
  return {
    update: (rows, bytes, size) => {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw(rows, bytes, size);
    },
    done: () => out.write('\n'),
  };
}
