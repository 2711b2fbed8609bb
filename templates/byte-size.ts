// A byte count as people read it on the pages and in the sealing page's messages: 1024-based
// units written KB, MB, GB as file managers show them, so the limit reads as the file sizes do.
const UNITS = ['KB', 'MB', 'GB', 'TB'] as const;

export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal below 10 (9.5 MB), none above; a whole number shows no ".0".
  const text = value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value).toString();
  return `${text} ${UNITS[unit]}`;
}
