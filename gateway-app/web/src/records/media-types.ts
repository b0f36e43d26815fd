import { STUDY_MEDIA_TYPE } from '../../../src/study';

const LABELS: Readonly<Record<string, string>> = {
  [STUDY_MEDIA_TYPE]: 'DICOM study',
  'application/dicom': 'DICOM',
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'application/pdf': 'PDF',
};

/** A media type as people name it: "DICOM study", "DICOM", "PNG", "JPEG". */
export const mediaTypeLabel = (mediaType: string): string => LABELS[mediaType] ?? mediaType;

const STORE_KEY = 'medshare.recordMediaTypes';
const MAX_REMEMBERED = 500;

function remembered(userId: string): Record<string, string> {
  try {
    const all = JSON.parse(localStorage.getItem(STORE_KEY) ?? '{}') as Record<string, Record<string, string>>;
    return all[userId] ?? {};
  } catch {
    return {};
  }
}

/**
 * The ledger's public record of a transfer does not say what it holds (that is in the private envelope,
 * which only opening releases), so this browser remembers the media type of the records it sent or opened,
 * by user. Nothing identifying: a record id and a media type.
 */
export function rememberMediaType(userId: string, recordId: string, mediaType: string): void {
  try {
    const all = JSON.parse(localStorage.getItem(STORE_KEY) ?? '{}') as Record<string, Record<string, string>>;
    const mine = Object.entries({ ...(all[userId] ?? {}), [recordId]: mediaType }).slice(-MAX_REMEMBERED);
    localStorage.setItem(STORE_KEY, JSON.stringify({ ...all, [userId]: Object.fromEntries(mine) }));
  } catch {
    // Storage full or disabled: the inbox then shows the media type as unknown, nothing else breaks.
  }
}

/** The media type this browser remembers for a record of this user, if any. */
export const knownMediaType = (userId: string, recordId: string): string | undefined =>
  remembered(userId)[recordId];
