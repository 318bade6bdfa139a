// Number formatting for counters and labels, and tables as CSV text.

/** A duration in seconds as the most readable unit: "42 s", "12.5 min", "7.3 h", "3.2 d". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const abs = Math.abs(seconds);
  if (abs < 60) return `${round(seconds, 1)} s`;
  if (abs < 3600) return `${round(seconds / 60, 1)} min`;
  if (abs < 86_400 * 2) return `${round(seconds / 3600, 1)} h`;
  return `${round(seconds / 86_400, 1)} d`;
}

/** A signed number with `digits` decimals: "+0.62", "−3.10". */
export function signed(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '–';
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return text;
  return (value < 0 ? '\u2212' : '+') + text;
}

/** A number with at most `digits` decimals and no trailing zeros. */
export function round(value: number, digits: number): string {
  const f = 10 ** digits;
  const r = Math.round(value * f) / f;
  return Object.is(r, -0) ? '0' : String(r);
}

/** A share as a percentage: "97.1 %". */
export function percent(share: number): string {
  return Number.isFinite(share) ? `${round(share * 100, 1)} %` : '–';
}

/**
 * Parses a seed typed by a user: a whole number from 0 to 2^53 − 1. Returns the number, or a message
 * naming the field.
 */
export function parseSeed(field: string, text: string): number | string {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return `${field}: must be a whole number from 0, got "${text}"`;
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value)) return `${field}: must be at most ${Number.MAX_SAFE_INTEGER}, got ${trimmed}`;
  return value;
}

/** A CSV cell: a value as text (empty when absent), quoted when it holds a comma, a quote or a line break. */
function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows as CSV text, one line each, every line ending in a line break. */
export function csv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return rows.map((row) => `${row.map(csvCell).join(',')}\n`).join('');
}
