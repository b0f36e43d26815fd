/**
 * MedShare's DICOM edge, on the workstation with the user's own keys: a C-STORE SCP that takes studies
 * from modalities and PACS and sends each, encrypted, as one record (see {@link startDicomEdge}), and a
 * C-STORE SCU that pushes an opened study into the local PACS ({@link pushInstances}). Networking is
 * dcmjs-dimse's; data sets pass through byte for byte on the way in.
 *
 * @packageDocumentation
 */

export { parseAeTitle } from './ae-title';
export { type CollectedStudy, type SpooledInstance, StudyCollector, studyRef } from './collector';
export { type DeidentifiedStudy, deidentifyStudy } from './deidentify-study';
export {
  type DicomEdge,
  type DicomEdgeOptions,
  type EdgeEvent,
  type RoutedStudy,
  startDicomEdge,
} from './edge';
export { DicomEdgeError, type DicomEdgeErrorCode, type DicomEdgeErrorOptions } from './errors';
export { EDGE_IMPLEMENTATION_CLASS_UID, part10Header } from './part10';
export { type PushResult, type PushTarget, pushInstances } from './store-scu';
export { type RouteRule, type RoutingFacts, parseRouteRule, routeStudy, tagOfKeyword } from './routing';
export { type ReceivedInstance, type ScpEvent, type StoreScp, startStoreScp } from './store-scp';
export { type StudyPlaintext, studyPlaintext } from './study-bundle';
