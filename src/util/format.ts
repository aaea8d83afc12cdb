// Numbers as people read them (plain text): money, prices, percentages,
// durations and times. Every front end formats with these so a value reads
// the same in Telegram, the dashboard and the logs.

/** A small amount of money with its cents' fractions (a grid's round trip earns fractions of a cent to a few cents). */
export function fmtUsdCents(n: number | null | undefined, signed = false): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  if (Math.abs(n) >= 1) return fmtUsd(n, signed);
  const body = '$' + Math.abs(n).toFixed(4);
  if (n < 0 && Number(Math.abs(n).toFixed(4)) !== 0) return '-' + body;
  return signed ? '+' + body : body;
}

export function fmtUsd(n: number | null | undefined, signed = false): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  const abs = Math.abs(n);
  const digits = abs !== 0 && abs < 0.01 ? 4 : 2;
  const body = '$' + abs.toFixed(digits);
  if (n < 0 && Number(abs.toFixed(digits)) !== 0) return '-' + body;
  return signed ? '+' + body : body;
}

/** A market price: DOGE trades around $0.1, so keep enough decimals. */
export function fmtPrice(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  const digits = Math.abs(n) >= 100 ? 2 : Math.abs(n) >= 1 ? 4 : 6;
  return '$' + n.toFixed(digits);
}

export function fmtPct(n: number | null | undefined, signed = false, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  const s = n.toFixed(digits);
  return (signed && n >= 0 && !s.startsWith('-') ? '+' : '') + s + '%';
}

export function fmtAmount(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  return n.toFixed(digits);
}

export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'n/a';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

export function fmtTime(epochMs: number): string {
  if (!Number.isFinite(epochMs)) return 'n/a';
  return new Date(epochMs).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}
