/**
 * Deterministic JSON: object keys sorted at every depth, no whitespace, so the
 * same value always marshals to the same bytes on every endorsing peer.
 */
export function marshal(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/** The text {@link marshal} encodes: what a device writes when the ledger checks a hash of its bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** Parses bytes written by {@link marshal}. */
export function unmarshal(bytes: Uint8Array): unknown {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}
