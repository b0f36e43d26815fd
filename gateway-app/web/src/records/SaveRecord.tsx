import { zipSync } from 'fflate';
import { saveBlob } from '../app/save-blob';
import type { SavedFile } from './use-record-content';

const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/dicom': '.dcm',
  'image/png': '.png',
  'image/jpeg': '.jpg',
};

/**
 * The record's files as they were sent, saved on this device: a study as a zip of its files under their
 * own names (stored, not compressed: DICOM pixel data gains little and the zip is made at once), a
 * single file as itself. Only once the whole record is read and verified.
 */
export function SaveRecord({
  recordId,
  files,
  complete,
}: {
  recordId: string;
  files: readonly SavedFile[];
  complete: boolean;
}) {
  const [single] = files;
  const save = () => {
    if (files.length === 1 && single?.name === '') {
      const name = `record-${recordId}${EXTENSIONS[single.mediaType] ?? ''}`;
      saveBlob(new Blob([single.bytes], { type: single.mediaType }), name);
      return;
    }
    const entries: Record<string, [Uint8Array, { level: 0 }]> = {};
    for (const file of files) entries[file.name] = [file.bytes, { level: 0 }];
    const zip = zipSync(entries);
    saveBlob(new Blob([zip.slice().buffer], { type: 'application/zip' }), `record-${recordId}.zip`);
  };
  return (
    <p className="save-record">
      <button type="button" className="secondary" disabled={!complete || files.length === 0} onClick={save}>
        {files.length > 1 ? `Save the ${files.length} files (.zip)` : 'Save the file'}
      </button>{' '}
      <span className="hint">Saved as sent, decrypted on this device; keep the copy safe.</span>
    </p>
  );
}
