/**
 * De-identification on the device: the DICOM PS3.15 Basic Application Level Confidentiality Profile
 * (Table E.1-1, in `basic-profile.ts`, generated from the standard), applied before a study is encrypted,
 * with UIDs replaced consistently within the study. Runs in the browser and in Node.
 *
 * @packageDocumentation
 */

export { basicProfileAction, DEIDENTIFIER_IMPLEMENTATION_CLASS_UID, Deidentifier } from './deidentify';
export { DUMMY_TEXT } from './dummy-value';
export { DeidentifyError, type DeidentifyErrorCode } from './errors';
export { type ProfileAction, type Treatment, treatmentOf } from './profile-action';
export { UidMap } from './uid-map';
