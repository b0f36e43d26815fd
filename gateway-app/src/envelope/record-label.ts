import { fromBase64, toBase64, utf8 } from './bytes';
import { DataKey, dataKeyCryptoKey } from './data-key';
import { type EncryptionKeyPair, unwrapDataKey, wrapDataKey } from './key-wrap';

/**
 * What a record's list entry may say about it: descriptive only, chosen by the sender's device. It travels
 * on the public ledger record sealed for the sender and the recipient (see {@link sealLabel}), so a list of
 * records can show it without opening, and so without recording an access to, each one.
 */
export interface RecordLabel {
  /** The study description, or a file's name. */
  readonly description?: string;
  /** DICOM modalities, `CT` or `CT\SR`. */
  readonly modality?: string;
  /** The study date, YYYYMMDD. */
  readonly date?: string;
  /** How many files the record holds. */
  readonly files?: number;
}

/** The longest text a label field keeps; longer text is cut. */
export const MAX_LABEL_TEXT = 64;
const VERSION = 1;
const IV_SIZE = 12;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The additional data that binds a sealed label to its record: it cannot be moved onto another one. */
const boundTo = (recordId: string) => utf8(`medshare/record-label/v${String(VERSION)}/${recordId}`);

/** A label reduced to its known fields, each text cut to {@link MAX_LABEL_TEXT} characters. */
export function cleanLabel(label: RecordLabel): RecordLabel {
  const text = (value: unknown) =>
    typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, MAX_LABEL_TEXT) : undefined;
  const description = text(label.description);
  const modality = text(label.modality);
  const date = typeof label.date === 'string' && /^\d{8}$/.test(label.date) ? label.date : undefined;
  const files =
    typeof label.files === 'number' && Number.isInteger(label.files) && label.files > 0
      ? label.files
      : undefined;
  return {
    ...(description ? { description } : {}),
    ...(modality ? { modality } : {}),
    ...(date ? { date } : {}),
    ...(files ? { files } : {}),
  };
}

/**
 * Seals a label for its readers: encrypted (AES-256-GCM) under a fresh key that is wrapped for each
 * reader's encryption key as data keys are, and bound to `recordId`. Only the readers' devices can open
 * it; the gateway, the peers and everyone else on the channel see ciphertext. Returns compact JSON.
 */
export async function sealLabel(
  label: RecordLabel,
  recordId: string,
  readers: readonly { readonly userId: string; readonly spki: string }[],
): Promise<string> {
  const key = await DataKey.generate();
  const iv = crypto.getRandomValues(new Uint8Array(IV_SIZE));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: boundTo(recordId) },
    dataKeyCryptoKey(key),
    encoder.encode(JSON.stringify(cleanLabel(label))),
  );
  const keys: Record<string, string> = {};
  for (const reader of readers) keys[reader.userId] = await wrapDataKey(key, reader.spki, reader.userId);
  return JSON.stringify({ v: VERSION, iv: toBase64(iv), ct: toBase64(new Uint8Array(ciphertext)), keys });
}

/**
 * Opens a sealed label as one of its readers; undefined when it is not sealed for this reader or does not
 * open (malformed, altered, or moved from another record): a list shows the record without it.
 */
export async function openLabel(
  sealed: string,
  recordId: string,
  reader: { readonly userId: string; readonly encryption: EncryptionKeyPair },
): Promise<RecordLabel | undefined> {
  try {
    const parsed = JSON.parse(sealed) as { v?: unknown; iv?: unknown; ct?: unknown; keys?: unknown };
    const wrapped = (parsed.keys as Record<string, unknown> | undefined)?.[reader.userId];
    const iv = typeof parsed.iv === 'string' ? fromBase64(parsed.iv) : undefined;
    const ct = typeof parsed.ct === 'string' ? fromBase64(parsed.ct) : undefined;
    if (parsed.v !== VERSION || typeof wrapped !== 'string' || !iv || !ct) return undefined;
    const key = await unwrapDataKey(wrapped, reader.encryption, reader.userId);
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: boundTo(recordId) },
      dataKeyCryptoKey(key),
      ct,
    );
    return cleanLabel(JSON.parse(decoder.decode(plaintext)) as RecordLabel);
  } catch {
    return undefined;
  }
}
