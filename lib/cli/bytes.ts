// Byte counts as the command prints them (decimal units: kB = 1000 bytes, as `ls -h --si`).

/** `n` bytes as '512 B', '10.8 MB', '2.15 GB'. */
export function formatBytes(n: number): string {
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}
