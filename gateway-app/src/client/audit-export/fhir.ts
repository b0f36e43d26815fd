import type { Purpose } from 'medshare-chaincode';
import { utf8 } from '../../envelope/bytes';
import type { FhirAuditEvent, FhirBundle, FhirCodeableConcept, FhirCoding } from './fhir-types';
import { type AuditEntry, type AuditKind, type AuditRow, auditEntries } from './rows';
import { ISO_UTC } from './schemas';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const dcm = (code: string, display: string): FhirCoding => ({ system: DCM, code, display });
/** DICOM PS3.16 CID 400 and 401: what happened, and how it is told apart. */
const EXPORT = dcm('110106', 'Export');
const IMPORT = dcm('110107', 'Import');
const STUDY_DELETED = dcm('110105', 'DICOM Study Deleted');
const PATIENT_RECORD = dcm('110110', 'Patient Record');
const SECURITY_ALERT = dcm('110113', 'Security Alert');
const QUERY = dcm('110112', 'Query');
const USER_AUTHENTICATION = dcm('110114', 'User Authentication');
const ROLES_CHANGED = dcm('110136', 'Security Roles Changed');
const LOGIN = dcm('110122', 'Login');
const EMERGENCY_OVERRIDE_STARTED = dcm('110127', 'Emergency Override Started');
/** ISO 21089 lifecycle event that BALP's privacy disclosure profiles ask for. */
const DISCLOSE: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle',
  code: 'disclose',
  display: 'Disclose Record Lifecycle Event',
};
const BALP = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit';
const PERSON: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  code: '1',
  display: 'Person',
};
const PATIENT: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/object-role',
  code: '1',
  display: 'Patient',
};

/** How one event is coded: its type, subtype and action, and the BALP profile it follows if any. */
interface EventCoding {
  type: FhirCoding;
  subtype?: FhirCoding[];
  action: FhirAuditEvent['action'];
  profile?: string;
  /** Tells the ids apart when one row gives two events (a transfer's export and import). */
  tag: string;
}

/**
 * The events a row stands for, coded by what happened: a transfer is a disclosure, an Export at its
 * source and an Import at its recipient (BALP's privacy disclosure pair); a later version of it an
 * erasure; a read a Patient Record access; a refused sign-in a User Authentication (Login); a
 * break-glass opening a Security Alert that starts an emergency override.
 */
function codingsOf({ row, action, refused }: AuditEntry): EventCoding[] {
  const tag = KIND_TAG[row.kind];
  switch (row.kind) {
    case 'transfer':
      if (action === 'C') {
        return [
          {
            type: EXPORT,
            subtype: [DISCLOSE],
            action: 'R',
            profile: `${BALP}.PrivacyDisclosure.Source`,
            tag: 'ex',
          },
          {
            type: IMPORT,
            subtype: [DISCLOSE],
            action: 'C',
            profile: `${BALP}.PrivacyDisclosure.Recipient`,
            tag: 'im',
          },
        ];
      }
      return [{ type: action === 'D' ? STUDY_DELETED : PATIENT_RECORD, action, tag }];
    case 'access':
      return [{ type: PATIENT_RECORD, action, tag }];
    case 'refusal':
      switch (refused) {
        case 'login':
          return [{ type: USER_AUTHENTICATION, subtype: [LOGIN], action, tag }];
        case 'send':
          return [{ type: EXPORT, action, tag }];
        case 'breakGlass':
          return [{ type: SECURITY_ALERT, subtype: [EMERGENCY_OVERRIDE_STARTED], action, tag }];
        case 'grant':
          return [{ type: ROLES_CHANGED, action, tag }];
        default:
          return [{ type: PATIENT_RECORD, action, tag }];
      }
    case 'breakGlass':
      return [{ type: SECURITY_ALERT, subtype: [EMERGENCY_OVERRIDE_STARTED], action, tag }];
    case 'review':
    case 'keyRelease':
      return [{ type: SECURITY_ALERT, action, tag }];
    case 'grant':
    case 'revoke':
      return [{ type: ROLES_CHANGED, action, tag }];
    case 'erasure':
      return [{ type: STUDY_DELETED, action, tag }];
    case 'query':
      return [{ type: QUERY, action, tag }];
  }
}
const PURPOSE_DISPLAY: Record<Purpose, string> = {
  TREAT: 'treatment',
  PATRQT: 'patient requested',
  CAREMGT: 'care management',
  HOPERAT: 'healthcare operations',
  ETREAT: 'Emergency Treatment',
};
const SOURCE_ROLE: FhirCodeableConcept = {
  coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }],
};
const DESTINATION_ROLE: FhirCodeableConcept = {
  coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }],
};
const APPLICATION_SERVER: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  code: '4',
  display: 'Application Server',
};
const SYSTEM_OBJECT: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  code: '2',
  display: 'System Object',
};
const QUERY_ROLE: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/object-role',
  code: '24',
  display: 'Query',
};
const DOMAIN_RESOURCE: FhirCoding = {
  system: 'http://terminology.hl7.org/CodeSystem/object-role',
  code: '4',
  display: 'Domain Resource',
};
const KIND_TAG: Record<AuditKind, string> = {
  transfer: 'tr',
  access: 'ac',
  refusal: 'rf',
  breakGlass: 'bg',
  review: 'rv',
  grant: 'gr',
  revoke: 'rk',
  keyRelease: 'kr',
  erasure: 'er',
  query: 'qy',
};

function roleType(role: string): FhirCodeableConcept | undefined {
  switch (role) {
    case '':
      return undefined;
    case 'doctor':
      return {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
            code: 'doctor',
            display: 'Doctor',
          },
        ],
        text: role,
      };
    case 'patient':
      return {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/v3-RoleClass', code: 'PAT', display: 'patient' },
        ],
        text: role,
      };
    default:
      return { text: role };
  }
}

// Not a security hash: it only keeps ids short and distinct, synchronously and without WebCrypto.
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of utf8(text)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** `<tag>-<first 40 hex of txId>-<hash of tag, txId, recordId>`: 60 characters of [a-z0-9-]. */
function auditEventId(row: AuditRow, tag: string): string {
  const hashed = tag === KIND_TAG[row.kind] ? row.kind : tag;
  return `${tag}-${row.txId.slice(0, 40)}-${fnv1a64(`${hashed}\n${row.txId}\n${row.recordId}`)}`;
}

function auditEvent(entry: AuditEntry, coding: EventCoding, patientId: string | undefined): FhirAuditEvent {
  const { row } = entry;
  const { action } = coding;
  const actorType =
    roleType(row.actorRole) ?? (row.kind === 'transfer' && entry.action === 'C' ? SOURCE_ROLE : undefined);
  const agent: FhirAuditEvent['agent'] = [
    {
      ...(actorType === undefined ? {} : { type: actorType }),
      who:
        row.actorId === ''
          ? {
              display: `${row.actorRole || 'user'} of ${row.actorMspId || 'an unknown organisation'}, not named on the ledger`,
            }
          : { identifier: { system: 'urn:medshare:user', value: row.actorId } },
      requestor: true,
    },
  ];
  if (row.counterpartId !== '' && row.counterpartId !== row.actorId && row.kind !== 'query') {
    const type = row.kind === 'transfer' ? DESTINATION_ROLE : roleType('doctor');
    agent.push({
      ...(type === undefined ? {} : { type }),
      who: { identifier: { system: 'urn:medshare:user', value: row.counterpartId } },
      requestor: false,
    });
  }
  const detail = (['deviceId', 'postureHash', 'factorHash', 'gatewayId'] as const)
    .filter((field) => row[field] !== '')
    .map((field) => ({ type: field, valueString: row[field] }));
  const entity: FhirAuditEvent['entity'] = [];
  if (patientId !== undefined) {
    entity.push({
      what: { identifier: { system: 'urn:medshare:user', value: patientId } },
      type: PERSON,
      role: PATIENT,
    });
  }
  if (row.kind === 'query') {
    // What was queried (DICOM's Participant Object of role Query): a record's trail or a user's activity.
    entity.push({
      what: {
        identifier:
          row.recordId !== ''
            ? { system: 'urn:medshare:record', value: row.recordId }
            : { system: 'urn:medshare:user', value: row.counterpartId },
      },
      type: SYSTEM_OBJECT,
      role: QUERY_ROLE,
      description: row.reason,
    });
  } else if (row.recordId !== '') {
    entity.push({
      what: { identifier: { system: 'urn:medshare:record', value: row.recordId } },
      type: SYSTEM_OBJECT,
      role: DOMAIN_RESOURCE,
    });
  }
  entity.push({
    what: { identifier: { system: 'urn:medshare:fabric-tx', value: row.txId } },
    type: SYSTEM_OBJECT,
    ...(detail.length === 0 ? {} : { detail }),
  });
  return {
    resourceType: 'AuditEvent',
    id: auditEventId(row, coding.tag),
    ...(coding.profile === undefined ? {} : { meta: { profile: [coding.profile] } }),
    type: coding.type,
    ...(coding.subtype === undefined ? {} : { subtype: coding.subtype }),
    action,
    recorded: row.at,
    outcome: row.outcome === 'denied' ? '4' : '0',
    ...(row.reason === '' ? {} : { outcomeDesc: row.reason }),
    ...(row.purpose === ''
      ? {}
      : {
          purposeOfEvent: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
                  code: row.purpose,
                  display: PURPOSE_DISPLAY[row.purpose],
                },
              ],
            },
          ],
        }),
    agent,
    source: {
      observer: { display: row.actorMspId === '' ? 'medshare-ledger' : row.actorMspId },
      type: [APPLICATION_SERVER],
    },
    entity,
  };
}

/**
 * The rows of {@link toAuditRows} as a FHIR R4 Bundle (type `collection`) of
 * AuditEvents, after the DICOM (PS3.15 A.5, PS3.16 CID 400/401) and IHE BALP
 * conventions: a transfer is two events, Export at the source and Import at the
 * recipient, profiled as BALP's privacy disclosure pair; a read is Patient Record;
 * a refused sign-in User Authentication with subtype Login; a break-glass opening
 * Security Alert with subtype Emergency Override Started; grants and revocations
 * Security Roles Changed; erasures DICOM Study Deleted. Each event names the
 * record's patient (its recipient) where the export holds its transfer. Actions
 * are R for an export or read, C for an import or grant, D for erasures and
 * revocations, E for the rest; outcome 0, or 4 for a denial;
 * the purpose of use as a v3 ActReason, the actor (and a transfer's recipient or
 * a review's doctor) as agents, and the record and ledger transaction as
 * entities, the attestation hashes as the transaction's details. Ids are stable:
 * derived from kind, transaction and record. `generatedAt` (ISO 8601 UTC, default
 * now) is the Bundle's timestamp.
 */
export function exportFhir(records: readonly unknown[], options: { generatedAt?: string } = {}): FhirBundle {
  const generatedAt = options.generatedAt ?? new Date().toISOString();
  if (!ISO_UTC.test(generatedAt) || Number.isNaN(Date.parse(generatedAt))) {
    throw new RangeError('generatedAt must be an ISO 8601 UTC time such as 2026-01-31T12:00:00Z');
  }
  const entries = auditEntries(records);
  // The record's recipient owns it (only they grant) and stands as its patient, where the export holds
  // the transfer; the ledger names no patient otherwise.
  const patients = new Map<string, string>();
  for (const { row, action } of entries) {
    if (row.kind === 'transfer' && action === 'C') patients.set(row.recordId, row.counterpartId);
  }
  const entry = entries.flatMap((item) =>
    codingsOf(item).map((coding) => ({
      resource: auditEvent(item, coding, patients.get(item.row.recordId)),
    })),
  );
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: new Date(generatedAt).toISOString(),
    ...(entry.length === 0 ? {} : { entry }),
  };
}
