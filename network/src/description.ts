import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { NetworkError } from './errors';

const key = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'must be lower-case letters, digits and "-"');
const mspId = z.string().regex(/^[A-Za-z][A-Za-z0-9]{1,30}MSP$/, 'must be letters and digits ending in MSP');
const portOffset = z.number().int().min(0).max(5000).multipleOf(100, 'must be a multiple of 100');
const byteSize = z.string().regex(/^\d+ (KB|MB)$/, 'must look like "10 MB" or "512 KB"');

const schema = z
  .object({
    name: key,
    channel: z.string().regex(/^[a-z][a-z0-9.-]{0,48}$/, 'must be a valid Fabric channel name'),
    basePort: z.number().int().min(1024).max(60000),
    consensus: z.enum(['raft', 'bft']),
    batch: z.strictObject({
      timeout: z.string().regex(/^\d+(ms|s)$/, 'must look like "250ms" or "2s"'),
      maxMessageCount: z.number().int().min(1).max(10000),
      absoluteMaxBytes: byteSize,
      preferredMaxBytes: byteSize,
    }),
    ordererOrganisation: z.strictObject({
      key,
      name: z.string().min(1).max(80),
      mspId,
      portOffset,
      raftNodes: z.number().int().min(1).max(7),
      bftNodes: z.number().int().min(4).max(7),
    }),
    peerOrganisations: z
      .array(
        z.strictObject({
          key,
          name: z.string().min(1).max(80),
          kind: z.enum(['hospital', 'imaging-center', 'clinic']),
          mspId,
          portOffset,
          peers: z.number().int().min(1).max(4),
        }),
      )
      .min(2, 'a consortium needs at least two peer organisations'),
    storage: z.strictObject({
      replicationMin: z.number().int().min(1).max(10),
      replicationMax: z.number().int().min(1).max(10),
    }),
    chaincode: z.strictObject({
      name: z.string().regex(/^[a-z][a-z0-9_-]{0,30}$/),
      version: z.string().min(1).max(20),
      sequence: z.number().int().min(1),
      path: z.string().min(1),
    }),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.storage.replicationMin > d.storage.replicationMax) {
      ctx.addIssue({
        code: 'custom',
        path: ['storage', 'replicationMin'],
        message: 'exceeds replicationMax',
      });
    }
    if (d.storage.replicationMax > d.peerOrganisations.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['storage', 'replicationMax'],
        message: `exceeds the ${d.peerOrganisations.length} storage peers (one per peer organisation)`,
      });
    }
    const orgs = [d.ordererOrganisation, ...d.peerOrganisations];
    const seen = new Map<string, string>();
    orgs.forEach((org, i) => {
      const path = i === 0 ? ['ordererOrganisation'] : ['peerOrganisations', i - 1];
      for (const [field, value] of [
        ['key', org.key],
        ['mspId', org.mspId],
        ['portOffset', String(org.portOffset)],
      ] as const) {
        const id = `${field}:${value}`;
        if (seen.has(id)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, field],
            message: `duplicates ${seen.get(id) ?? ''}`,
          });
        }
        seen.set(id, `${path.join('.')}.${field}`);
      }
    });
  });

/** The consortium as described in network/consortium.yaml. */
export type ConsortiumDescription = z.infer<typeof schema>;
/** A peer organisation of the description. */
export type PeerOrganisationDescription = ConsortiumDescription['peerOrganisations'][number];

/**
 * Validates a parsed description. Throws {@link NetworkError} DESCRIPTION_INVALID
 * naming the first offending field.
 */
export function validateDescription(raw: unknown, source = 'description'): ConsortiumDescription {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new NetworkError('DESCRIPTION_INVALID', `${source}: ${field}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** Reads and validates a description file. */
export async function loadDescription(file: string): Promise<ConsortiumDescription> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new NetworkError('DESCRIPTION_INVALID', `${file}: cannot be read`, { cause });
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (cause) {
    const message = cause instanceof Error ? (cause.message.split('\n')[0] ?? '') : String(cause);
    throw new NetworkError('DESCRIPTION_INVALID', `${file}: not valid YAML: ${message}`, { cause });
  }
  return validateDescription(raw, file);
}
