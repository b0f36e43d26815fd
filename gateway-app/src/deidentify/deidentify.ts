import * as dcmjs from 'dcmjs';
import { BASIC_PROFILE, BASIC_PROFILE_RANGES } from './basic-profile';
import { dummyValue, remapUids } from './dummy-value';
import { DeidentifyError } from './errors';
import { treatmentOf, type ProfileAction } from './profile-action';
import { UidMap } from './uid-map';

type Dataset = Record<string, dcmjs.DicomJsonElement | undefined>;

/** The Implementation Class UID of the files MedShare de-identifies (PS3.5 B.2, UUID-derived). */
export const DEIDENTIFIER_IMPLEMENTATION_CLASS_UID = '2.25.80095015979185582734790060637463255467';
const PREAMBLE = 132;
const DEFLATED = '1.2.840.10008.1.2.1.99';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
/** DCM 113100, Basic Application Confidentiality Profile (PS3.16 CID 7050). */
const BASIC_PROFILE_CODE = {
  CodeValue: '113100',
  CodingSchemeDesignator: 'DCM',
  CodeMeaning: 'Basic Application Confidentiality Profile',
};

/** The action the Basic Profile gives a standard (even group) attribute, or undefined if it lists none. */
export function basicProfileAction(tag: string): ProfileAction | undefined {
  const key = tag.toLowerCase();
  const exact = BASIC_PROFILE[key];
  if (exact !== undefined) return exact;
  for (const [pattern, action] of BASIC_PROFILE_RANGES) {
    let match = pattern.length === key.length;
    for (let i = 0; match && i < pattern.length; i++) match = pattern[i] === 'x' || pattern[i] === key[i];
    if (match) return action;
  }
  return undefined;
}

function text(element: dcmjs.DicomJsonElement | undefined): string | undefined {
  const value = element?.Value?.[0];
  return typeof value === 'string' ? value.trim() : undefined;
}

/**
 * De-identifies the instances of one set (a study, or every file of one send) with the DICOM PS3.15
 * Basic Application Level Confidentiality Profile, on the device, before encryption. One instance keeps
 * its UID map, so UIDs are replaced consistently across the set and unlinkably across sets.
 *
 * Each file is parsed and rewritten by dcmjs in its own transfer syntax (a deflated one inflated); pixel data is carried over as
 * it is (de-identifying pixels is the Clean Pixel Data Option, which MedShare does not offer: a file that
 * declares burned-in annotation is refused instead). Runs in the browser too.
 */
export class Deidentifier {
  readonly #uids: UidMap;

  constructor(uids: UidMap = new UidMap()) {
    this.#uids = uids;
  }

  /**
   * The de-identified copy of a DICOM Part 10 file.
   *
   * @throws {@link DeidentifyError} `NOT_DICOM` or `BURNED_IN_ANNOTATION`.
   */
  deidentify(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
    let parsed: dcmjs.DicomDict;
    try {
      if (bytes.length < PREAMBLE || String.fromCharCode(...bytes.subarray(128, 132)) !== 'DICM') {
        throw new Error('no DICM prefix');
      }
      parsed = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer);
    } catch (cause) {
      throw new DeidentifyError('NOT_DICOM', 'the file is not a DICOM Part 10 file that can be read', {
        cause,
      });
    }
    const dataset = parsed.dict as Dataset;
    if (text(dataset['00280301'])?.toUpperCase() === 'YES') {
      throw new DeidentifyError(
        'BURNED_IN_ANNOTATION',
        'the image declares burned-in annotation, which the Basic Profile does not remove from pixels',
      );
    }
    this.#clean(dataset);
    dataset['00120062'] = { vr: 'CS', Value: ['YES'] };
    dataset['00120063'] = {
      vr: 'LO',
      Value: ['DICOM PS3.15 E.1 Basic Application Level Confidentiality Profile (MedShare)'],
    };
    dataset['00120064'] = {
      vr: 'SQ',
      Value: [dcmjs.data.DicomMetaDictionary.denaturalizeDataset(BASIC_PROFILE_CODE)],
    };
    const meta = parsed.meta as Dataset;
    const transferSyntax = text(meta['00020010']) ?? '';
    const sopInstanceUid = text(dataset['00080018']) ?? '';
    const out = new dcmjs.data.DicomDict(
      dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
        FileMetaInformationVersion: Uint8Array.of(0, 1).buffer,
        MediaStorageSOPClassUID: text(meta['00020002']) ?? text(dataset['00080016']) ?? '',
        MediaStorageSOPInstanceUID: sopInstanceUid,
        // A deflated data set is written inflated (explicit VR little endian), which changes nothing in it.
        TransferSyntaxUID: transferSyntax === DEFLATED ? EXPLICIT_LE : transferSyntax,
        ImplementationClassUID: DEIDENTIFIER_IMPLEMENTATION_CLASS_UID,
        ImplementationVersionName: 'MEDSHARE_DEID_1',
      }),
    );
    out.dict = dataset as dcmjs.DicomJsonDataset;
    // One fragment per frame, as most files hold them; dcmjs would otherwise split frames into 20 KiB.
    return new Uint8Array(out.write({ fragmentMultiframe: false }));
  }

  #clean(dataset: Dataset): void {
    for (const tag of Object.keys(dataset)) {
      const element = dataset[tag];
      if (element === undefined) continue;
      // Private attributes, private creators included: removed (the Basic Profile's last row).
      if (Number.parseInt(tag.slice(0, 4), 16) % 2 === 1) {
        Reflect.deleteProperty(dataset, tag);
        continue;
      }
      const action = basicProfileAction(tag);
      switch (action ? treatmentOf(action) : 'keep') {
        case 'remove':
          Reflect.deleteProperty(dataset, tag);
          break;
        case 'empty':
          element.Value = [];
          break;
        case 'dummy':
          element.Value = dummyValue(element.vr, element.Value ?? [], this.#uids);
          break;
        case 'remap-uids':
          if (element.vr === 'SQ') this.#cleanItems(element);
          else element.Value = remapUids(element.Value ?? [], this.#uids);
          break;
        case 'keep':
          if (element.vr === 'SQ') this.#cleanItems(element);
          break;
      }
    }
  }

  #cleanItems(element: dcmjs.DicomJsonElement): void {
    for (const item of element.Value ?? []) {
      if (typeof item === 'object' && item !== null) this.#clean(item as Dataset);
    }
  }
}
