import { concatBytes, constantTimeEqual, fromBase64, toBase64, utf8 } from './bytes';
import { DataKey, dataKeyCryptoKey } from './data-key';
import { EnvelopeError } from './errors';
import { DATA_KEY_SIZE } from './format';
import { unwrapDataKey, wrapDataKey, type EncryptionKeyPair } from './key-wrap';

/**
 * Emergency key shares: a record's data key split so that any `threshold` of
 * an organisation's emergency operators together can release it to a doctor,
 * and no fewer can learn anything about it.
 *
 * For every `threshold`-sized subset of the holders, the data key is split
 * into `threshold` random parts whose XOR is the key (an n-of-n XOR split is
 * information-theoretically hiding: any `threshold - 1` parts are uniformly
 * random). Each part is wrapped, with the usual ECDH P-256 key wrap, for one
 * holder's own registered encryption key. A release is each holder of one
 * subset unwrapping their part on their own device and re-wrapping it for the
 * doctor; only the doctor's device ever holds the whole key. This is a
 * combinatorial threshold scheme rather than Shamir's: it needs nothing but the
 * key wrap the envelope already uses (no new curve arithmetic), at a cost of
 * C(n, t) x t wraps per record, bounded here by {@link MAX_SUBSETS}.
 */

/** At most this many holders in a key set. */
export const MAX_HOLDERS = 7;
/** At most this many subsets (C(n, t)), so an envelope stays small (each wrap is 144 base64 characters). */
export const MAX_SUBSETS = 35;

/** One holder of an emergency key share: an operator and their registered encryption key. */
export interface ShareHolder {
  holderId: string;
  /** Their encryption public key, base64 SPKI, as the registry holds it (verified by the caller). */
  spki: string;
}

/** One subset's parts: `wrapped[i]` is the part for `holders[i]`. */
export interface SubsetParts {
  holders: string[];
  wrapped: string[];
}

/** A record's data key split for an organisation's emergency key set (the envelope's `emergencyShares`). */
export interface EmergencyShares {
  version: 1;
  /** The key set (emergency holders and threshold) the sender verified and split for. */
  keySetVersion: number;
  threshold: number;
  parts: SubsetParts[];
  /** SHA-256 of a fixed label and the data key, base64: lets a doctor check a combination before use. */
  check: string;
}

/** A holder's contribution to one release: their part of each subset they belong to, wrapped for the doctor. */
export interface ShareContribution {
  holderId: string;
  parts: { subset: number; holders: string[]; wrapped: string }[];
}

const CHECK_LABEL = utf8('medshare/emergency-key-check/v1\n');

/** The id a part is wrapped under for a holder: apart from any record key wrapped for them. */
const holderBinding = (subset: number, holderId: string) => `emergency-share/${String(subset)}/${holderId}`;
/** The id a part is re-wrapped under for the doctor. */
const doctorBinding = (subset: number, doctorId: string) => `emergency-part/${String(subset)}/${doctorId}`;

/** Every `size`-element subset of `items`, in lexicographic order of positions. */
export function subsetsOf<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  const out: T[][] = [];
  items.forEach((item, i) => {
    for (const rest of subsetsOf(items.slice(i + 1), size - 1)) out.push([item, ...rest]);
  });
  return out;
}

/** Splits `dataKey` for `holders` so that any `threshold` of them can release it. */
export async function splitForHolders(
  dataKey: DataKey,
  holders: readonly ShareHolder[],
  threshold: number,
  keySetVersion: number,
): Promise<EmergencyShares> {
  const ids = holders.map((h) => h.holderId);
  if (new Set(ids).size !== ids.length || holders.length < 2 || holders.length > MAX_HOLDERS) {
    throw new EnvelopeError('INVALID_ARGUMENT', `a key set has 2 to ${String(MAX_HOLDERS)} distinct holders`);
  }
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > holders.length) {
    throw new EnvelopeError('INVALID_ARGUMENT', 'the threshold must be from 2 to the number of holders');
  }
  const subsets = subsetsOf(holders, threshold);
  if (subsets.length > MAX_SUBSETS) {
    throw new EnvelopeError('INVALID_ARGUMENT', `at most ${String(MAX_SUBSETS)} subsets of holders`);
  }
  const key = await rawKey(dataKey);
  try {
    const parts: SubsetParts[] = [];
    for (const [index, subset] of subsets.entries()) {
      const pieces = subset.slice(1).map(() => crypto.getRandomValues(new Uint8Array(DATA_KEY_SIZE)));
      pieces.unshift(xorAll([key, ...pieces]));
      const wrapped: string[] = [];
      for (const [i, holder] of subset.entries()) {
        const piece = pieces[i] ?? new Uint8Array();
        wrapped.push(
          await wrapDataKey(
            await DataKey.fromBytes(piece),
            holder.spki,
            holderBinding(index, holder.holderId),
          ),
        );
        piece.fill(0);
      }
      parts.push({ holders: subset.map((h) => h.holderId), wrapped });
    }
    return { version: 1, keySetVersion, threshold, parts, check: await checkOf(key) };
  } finally {
    key.fill(0);
  }
}

/**
 * A holder's contribution to releasing a record to a doctor: on the holder's
 * own device, each of their parts is unwrapped and re-wrapped for the doctor's
 * registered key. The holder learns only random parts, never the data key.
 *
 * @throws {@link EnvelopeError} `INVALID_ARGUMENT` if the holder has no part, `WRONG_KEY` if a part was
 * not wrapped for this key pair.
 */
export async function contributeShares(
  shares: EmergencyShares,
  holder: { holderId: string; keyPair: EncryptionKeyPair },
  doctor: { doctorId: string; spki: string },
): Promise<ShareContribution> {
  const parts: ShareContribution['parts'] = [];
  for (const [subset, entry] of shares.parts.entries()) {
    const at = entry.holders.indexOf(holder.holderId);
    const wrapped = entry.wrapped[at];
    if (at < 0 || wrapped === undefined) continue;
    const piece = await unwrapDataKey(wrapped, holder.keyPair, holderBinding(subset, holder.holderId));
    parts.push({
      subset,
      holders: entry.holders,
      wrapped: await wrapDataKey(piece, doctor.spki, doctorBinding(subset, doctor.doctorId)),
    });
  }
  if (parts.length === 0) {
    throw new EnvelopeError('INVALID_ARGUMENT', `${holder.holderId} holds no share of this record's key`);
  }
  return { holderId: holder.holderId, parts };
}

/**
 * The doctor's device rebuilds the data key from the contributions of all
 * holders of one subset, and checks it against the sender's `check`.
 *
 * @throws {@link EnvelopeError} `INVALID_STATE` while no subset is complete, `WRONG_KEY` if a part was not
 * wrapped for this doctor or the parts do not make the sender's key (a holder contributed garbage).
 */
export async function combineShares(
  contributions: readonly ShareContribution[],
  check: string,
  doctor: { doctorId: string; keyPair: EncryptionKeyPair },
): Promise<DataKey> {
  const bySubset = new Map<number, Map<string, { holders: string[]; wrapped: string }>>();
  for (const c of contributions) {
    for (const p of c.parts) {
      if (!p.holders.includes(c.holderId)) continue;
      const subset = bySubset.get(p.subset) ?? new Map<string, { holders: string[]; wrapped: string }>();
      subset.set(c.holderId, p);
      bySubset.set(p.subset, subset);
    }
  }
  const expected = fromBase64(check);
  for (const [subset, parts] of bySubset) {
    const holders = [...parts.values()][0]?.holders ?? [];
    if (!holders.every((h) => parts.get(h)?.holders.join('\n') === holders.join('\n'))) continue;
    const pieces: Uint8Array[] = [];
    for (const h of holders) {
      const part = parts.get(h);
      if (!part) break;
      const piece = await unwrapDataKey(part.wrapped, doctor.keyPair, doctorBinding(subset, doctor.doctorId));
      pieces.push(await rawKey(piece));
    }
    if (pieces.length !== holders.length) continue;
    const key = xorAll(pieces);
    pieces.forEach((p) => p.fill(0));
    try {
      if (
        expected === undefined ||
        !constantTimeEqual(fromBase64(await checkOf(key)) ?? new Uint8Array(), expected)
      ) {
        throw new EnvelopeError('WRONG_KEY', "the contributed shares do not make the sender's data key", {
          details: { subset },
        });
      }
      return await DataKey.fromBytes(key);
    } finally {
      key.fill(0);
    }
  }
  throw new EnvelopeError('INVALID_STATE', 'no subset of holders has contributed all its parts yet');
}

async function rawKey(dataKey: DataKey): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.exportKey('raw', dataKeyCryptoKey(dataKey)));
}

function xorAll(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(DATA_KEY_SIZE);
  for (const part of parts) for (let i = 0; i < DATA_KEY_SIZE; i++) out[i] = (out[i] ?? 0) ^ (part[i] ?? 0);
  return out;
}

async function checkOf(key: Uint8Array): Promise<string> {
  return toBase64(new Uint8Array(await crypto.subtle.digest('SHA-256', concatBytes([CHECK_LABEL, key]))));
}
