import type { AuditAction } from './rows';

/** A FHIR R4 Coding. */
export interface FhirCoding {
  system: string;
  code: string;
  display: string;
}

/** A FHIR R4 CodeableConcept. */
export interface FhirCodeableConcept {
  coding?: FhirCoding[];
  text?: string;
}

/** A FHIR R4 Identifier. */
export interface FhirIdentifier {
  system: string;
  value: string;
}

/** A FHIR R4 AuditEvent, as {@link exportFhir} writes it. */
export interface FhirAuditEvent {
  resourceType: 'AuditEvent';
  id: string;
  meta?: { profile: string[] };
  type: FhirCoding;
  subtype?: FhirCoding[];
  action: AuditAction;
  recorded: string;
  outcome: '0' | '4';
  outcomeDesc?: string;
  purposeOfEvent?: FhirCodeableConcept[];
  agent: {
    type?: FhirCodeableConcept;
    who: { identifier: FhirIdentifier } | { display: string };
    requestor: boolean;
  }[];
  source: { observer: { display: string }; type: FhirCoding[] };
  entity: {
    what: { identifier: FhirIdentifier };
    type: FhirCoding;
    role?: FhirCoding;
    description?: string;
    detail?: { type: string; valueString: string }[];
  }[];
}

/** A FHIR R4 Bundle of type `collection` holding AuditEvents (no `entry` when there are none: FHIR forbids empty arrays). */
export interface FhirBundle {
  resourceType: 'Bundle';
  type: 'collection';
  timestamp: string;
  entry?: { resource: FhirAuditEvent }[];
}
