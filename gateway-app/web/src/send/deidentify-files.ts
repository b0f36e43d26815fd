import { DeidentifyError } from '../../../src/deidentify/errors';
import type { ChosenFile } from './file-kind';

/**
 * The chosen files de-identified on this device with the DICOM PS3.15 Basic Profile, before anything is
 * encrypted: one de-identifier for the whole send, so the study's UIDs are replaced consistently. The
 * de-identifier (with dcmjs) is loaded only when asked for. A file that is not DICOM, or declares
 * burned-in annotation, stops the send with a {@link DeidentifyError}: nothing is sent.
 */
export async function deidentifyFiles(files: readonly ChosenFile[]): Promise<ChosenFile[]> {
  const { Deidentifier } = await import('../../../src/deidentify');
  const deidentifier = new Deidentifier();
  const out: ChosenFile[] = [];
  for (const chosen of files) {
    if (chosen.mediaType !== 'application/dicom') {
      throw new DeidentifyError(
        'NOT_DICOM',
        `${chosen.file.name} is not DICOM: only DICOM files can be de-identified; remove it or send without de-identification`,
      );
    }
    const bytes = deidentifier.deidentify(new Uint8Array(await chosen.file.arrayBuffer()));
    out.push({
      file: new File([bytes], chosen.file.name, {
        type: 'application/dicom',
        lastModified: chosen.file.lastModified,
      }),
      mediaType: chosen.mediaType,
    });
  }
  return out;
}
