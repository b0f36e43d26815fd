import { MANIFEST_NAME, NAME_FIELD_SIZE, utf8 } from './format';

const FALLBACK_NAME = 'file';
/** Extensions longer than this are treated as part of the base name when a name must be shortened. */
const MAX_EXTENSION_BYTES = 16;

/**
 * The names the entries of a bundle get, in order: each name reduced to a safe single path component
 * that fits the 100-byte ustar name field, and made unique by suffixing `-2`, `-3`… before the extension.
 *
 * The result depends only on the input list, so the writer and {@link bundleSize} agree. Uniqueness is
 * case-insensitive, as on the file systems of most desktops, and `MANIFEST.json` is reserved.
 */
export function bundleEntryNames(names: readonly string[]): string[] {
  const taken = new Set([MANIFEST_NAME.toLowerCase()]);
  return names.map((raw) => {
    const safe = safeName(raw);
    const { base, extension } = splitExtension(safe);
    let candidate = safe;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
      candidate = fitName(base, `-${n}${extension}`);
    }
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

/**
 * One name made safe to extract anywhere: the last path component only, without control characters or
 * characters Windows forbids, without leading or trailing dots and spaces, at most 100 bytes of UTF-8.
 */
export function safeName(raw: string): string {
  const last = raw.split(/[/\\]/).pop() ?? '';
  const cleaned = last
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (cleaned === '') return FALLBACK_NAME;
  const { base, extension } = splitExtension(cleaned);
  return fitName(base, extension);
}

function splitExtension(name: string): { base: string; extension: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || utf8(name.slice(dot)).length > MAX_EXTENSION_BYTES) return { base: name, extension: '' };
  return { base: name.slice(0, dot), extension: name.slice(dot) };
}

/** `base + suffix`, with the base cut at a character boundary so the whole fits the name field. */
function fitName(base: string, suffix: string): string {
  const room = NAME_FIELD_SIZE - utf8(suffix).length;
  let out = '';
  let used = 0;
  for (const ch of base) {
    const n = utf8(ch).length;
    if (used + n > room) break;
    out += ch;
    used += n;
  }
  out = out.replace(/[.\s]+$/, '');
  return (out === '' ? FALLBACK_NAME : out) + suffix;
}
