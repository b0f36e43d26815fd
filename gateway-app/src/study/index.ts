/**
 * Study bundles: several files (the slices of a DICOM study, a handful of photos) carried as one plain
 * POSIX ustar archive, so they are encrypted and shared as one record and `tar -x` unpacks the decrypted
 * file. The first entry, `MANIFEST.json`, lists the files that follow in order. Web streams only, so it
 * runs unchanged in the browser.
 *
 * Synthetic DICOM studies for tests and the demo are in `./synthetic`, kept out of this barrel so that
 * the browser bundle does not pull in `dcmjs` unless it asks for them.
 *
 * @packageDocumentation
 */

export { type BundleFileInfo, bundleSize } from './bundle-plan';
export {
  type BundleEntry,
  DEFAULT_MAX_ENTRY_SIZE,
  type ReadBundleOptions,
  readBundle,
} from './bundle-reader';
export { type BundleFile, type BundleProgress, createBundleStream } from './bundle-writer';
export { BundleError, type BundleErrorCode, type BundleErrorOptions } from './errors';
export { MANIFEST_NAME, MAX_ENTRIES, MAX_ENTRY_SIZE, MAX_MANIFEST_SIZE, STUDY_MEDIA_TYPE } from './format';
export { type BundleManifest, type ManifestFile } from './manifest';
export { bundleEntryNames } from './names';
export { FILE_HEAD_BYTES, type FileKind, type FileKindRefusal, checkFileKind } from './file-kind';
