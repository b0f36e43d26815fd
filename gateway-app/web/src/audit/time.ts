const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** An ISO time in the reader's time zone; '—' for none. */
export function formatWhen(iso: string | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : WHEN.format(ms);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** A time as a datetime-local input shows it: `YYYY-MM-DDTHH:MM`, local time. */
export function toLocalInput(date: Date): string {
  return `${String(date.getFullYear())}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value as ISO 8601 UTC, or undefined when empty or not a time. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** A day as `yyyymmdd`, local time, for file names. */
export function dayStamp(date: Date): string {
  return `${String(date.getFullYear())}${pad(date.getMonth() + 1)}${pad(date.getDate())}`;
}

/** The default range of a user's activity: the last 30 days, up to the end of this minute. */
export function lastDays(days: number, now: Date = new Date()): { from: string; to: string } {
  const to = new Date(now.getTime() + 60_000);
  return { from: toLocalInput(new Date(now.getTime() - days * 86_400_000)), to: toLocalInput(to) };
}
