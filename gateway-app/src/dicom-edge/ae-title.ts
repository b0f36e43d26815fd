import { DicomEdgeError } from './errors';

/**
 * Checks an application entity title as PS3.8 allows it on the wire: 1 to 16 characters of printable
 * ASCII other than backslash, not all spaces. Leading and trailing spaces are not significant and are
 * dropped, so that the titles an allow-list names compare equal to the ones a peer sends.
 *
 * @throws {@link DicomEdgeError} `BAD_AE_TITLE`.
 */
export function parseAeTitle(value: string): string {
  const title = value.trim();
  if (title.length === 0 || title.length > 16 || !/^[\x20-\x5b\x5d-\x7e]+$/.test(title)) {
    throw new DicomEdgeError(
      'BAD_AE_TITLE',
      'an AE title is 1 to 16 printable ASCII characters, without a backslash',
    );
  }
  return title;
}
