/**
 * The web origin (`scheme://host[:port]`, as `URL.origin` spells it) of an http or https URL that
 * names nothing but an origin (a trailing `/` is accepted), or `null` for anything else: other
 * schemes, credentials, a path, a query or a fragment.
 */
export function toOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return null;
  return url.origin;
}

/** Whether `value` is exactly an origin as `URL.origin` spells it, so that it can be compared as a string. */
export function isOrigin(value: string): boolean {
  return toOrigin(value) === value;
}
