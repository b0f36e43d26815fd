import type {
  AccessEvent,
  AttestationSummary,
  AuditQuery,
  BreakGlassRecord,
  EmergencyReason,
  HistoryEntry,
  Purpose,
  RecordEvent,
  RefusalAction,
  RefusalRecord,
  ReviewRecord,
  TransferRecord,
} from 'medshare-chaincode';
import { z } from 'zod';
import { AuditExportError } from './errors';

const HEX_64 = /^[0-9a-f]{64}$/;
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

const hex64 = z.string().regex(HEX_64, 'must be 64 lower-case hex characters');
const recordId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be a record id: 16 to 64 letters, digits, "_" or "-"');
const instant = z
  .string()
  .regex(ISO_UTC, 'must be an ISO 8601 UTC time')
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 UTC time');
const mspId = z.string().min(1, 'must not be empty');
const purpose = z.enum(['TREAT', 'PATRQT', 'CAREMGT', 'HOPERAT', 'ETREAT']) satisfies z.ZodType<Purpose>;
const emergencyReason = z.enum([
  'UNCONSCIOUS',
  'LIFE_THREATENING',
  'URGENT_CARE',
  'OTHER',
]) satisfies z.ZodType<EmergencyReason>;
const refusalAction = z.enum([
  'send',
  'access',
  'breakGlass',
  'login',
  'grant',
]) satisfies z.ZodType<RefusalAction>;

const attestationSchema = z.object({
  gatewayId: hex64,
  deviceId: hex64,
  postureHash: hex64,
  factorHash: hex64,
  nonce: z.string(),
}) satisfies z.ZodType<AttestationSummary>;

export const transferSchema = z.object({
  docType: z.literal('transfer'),
  recordId,
  senderId: hex64,
  senderMspId: mspId,
  recipientId: hex64,
  recipientMspId: mspId,
  contentHash: hex64,
  status: z.enum(['active', 'erasing', 'erased']),
  createdAt: instant,
  updatedAt: instant,
  txId: hex64,
  attestation: attestationSchema.optional(),
}) satisfies z.ZodType<TransferRecord>;

export const accessSchema = z.object({
  docType: z.literal('access'),
  recordId,
  txId: hex64,
  userId: hex64,
  mspId,
  role: z.string(),
  purpose: purpose.optional(),
  outcome: z.enum(['granted', 'denied']),
  reason: z.string(),
  at: instant,
  attestation: attestationSchema.optional(),
  refusedBy: hex64.optional(),
  refusedAction: refusalAction.optional(),
}) satisfies z.ZodType<AccessEvent>;

export const refusalSchema = z.object({
  docType: z.literal('refusal'),
  txId: hex64,
  userId: hex64,
  mspId,
  action: refusalAction,
  recordId: recordId.optional(),
  code: z.string().min(1, 'must not be empty'),
  reason: z.string(),
  evidenceHash: hex64.optional(),
  gatewayId: hex64,
  at: instant,
}) satisfies z.ZodType<RefusalRecord>;

export const breakGlassSchema = z.object({
  docType: z.literal('break-glass'),
  recordId,
  doctorId: hex64,
  doctorMspId: mspId,
  recipientId: hex64,
  recipientMspId: mspId,
  reasonCode: emergencyReason,
  justificationHash: hex64,
  openedAt: instant,
  expiresAt: instant,
  txId: hex64,
  keyReleasedAt: instant.optional(),
  attestation: attestationSchema.optional(),
}) satisfies z.ZodType<BreakGlassRecord>;

export const reviewSchema = z
  .object({
    docType: z.literal('review'),
    reviewId: hex64,
    recordId,
    doctorId: hex64,
    reasonCode: emergencyReason,
    justificationHash: hex64,
    openedAt: instant,
    status: z.enum(['open', 'closed']),
    finding: z.enum(['justified', 'unjustified']).optional(),
    closedBy: hex64.optional(),
    closedAt: instant.optional(),
    noteHash: hex64.optional(),
    attestation: attestationSchema.optional(),
  })
  .refine(
    (review) =>
      review.status === 'open' ||
      (review.finding !== undefined && review.closedBy !== undefined && review.closedAt !== undefined),
    { error: 'a closed review must have finding, closedBy and closedAt', path: ['status'] },
  ) satisfies z.ZodType<ReviewRecord>;

export const historySchema = z.object({
  txId: hex64,
  at: instant,
  isDelete: z.boolean(),
  record: z.unknown().optional(),
}) satisfies z.ZodType<HistoryEntry>;

export const recordEventSchema = z.object({
  docType: z.literal('record-event'),
  recordId,
  kind: z.enum(['grant', 'revoke', 'breakGlass', 'keyRelease', 'review', 'erasure', 'query']),
  txId: hex64,
  at: instant,
  actorId: hex64,
  actorMspId: mspId,
  subjectId: z.union([hex64, z.literal('')]),
  detail: z.string().max(200),
}) satisfies z.ZodType<RecordEvent>;

export const auditQuerySchema = z.object({
  docType: z.literal('audit-query'),
  txId: hex64,
  at: instant,
  auditorId: hex64,
  auditorMspId: mspId,
  subjectId: hex64,
  from: instant,
  to: instant,
}) satisfies z.ZodType<AuditQuery>;

/** Parses `value` with `schema`, or throws {@link AuditExportError} naming every problem and where. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, index: number, prefix: string[] = []): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map(String)].join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  throw new AuditExportError(index, problems.join('; '));
}
