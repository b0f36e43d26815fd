/**
 * A DICOM date (DA, `YYYYMMDD`, or the old `YYYY.MM.DD`) as ISO 8601 `YYYY-MM-DD`; anything else comes
 * back unchanged.
 */
export function formatDicomDate(value: string): string {
  const match = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(value.trim());
  if (match === null) return value;
  const [, year = '', month = '', day = ''] = match;
  return `${year}-${month}-${day}`;
}

/** A DICOM time (TM, `HHMMSS.FFFFFF` with trailing parts optional) as `HH:MM:SS` or `HH:MM`. */
export function formatDicomTime(value: string): string {
  const match = /^(\d{2}):?(\d{2})?(?::?(\d{2}))?(?:\.\d{1,6})?$/.exec(value.trim());
  if (match === null) return value;
  const [, hours = '', minutes = '00', seconds] = match;
  return seconds === undefined ? `${hours}:${minutes}` : `${hours}:${minutes}:${seconds}`;
}

/**
 * A DICOM person name (PN, `Family^Given^Middle^Prefix^Suffix`) as people read it: `DOE^JANE` becomes
 * `DOE, JANE`, `DOE^JANE^Q^DR^JR` becomes `DOE, DR JANE Q, JR`. Only the first (alphabetic) component
 * group is used.
 */
export function formatPersonName(value: string): string {
  const alphabetic = value.split('=')[0] ?? '';
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = alphabetic
    .split('^')
    .map((part) => part.trim());
  const rest = [prefix, given, middle].filter((part) => part !== '').join(' ');
  const name = family !== '' && rest !== '' ? `${family}, ${rest}` : family || rest;
  return suffix === '' ? name : `${name}, ${suffix}`;
}
