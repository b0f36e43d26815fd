import { z } from 'zod';
import type { RouteDoc } from './routes';

const ERROR = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', description: 'stable machine-readable code' },
        message: { type: 'string' },
        details: { type: 'object' },
        requestId: { type: 'string' },
      },
    },
  },
};

const SECURITY: Record<RouteDoc['audience'], string> = {
  anyone: 'No sign-in needed.',
  'signed-in': 'Needs a session signed in with password and TOTP.',
  operator: 'Needs a signed-in organisation admin (operator).',
  'device-agent': 'Called by the device agent with its one-time enrolment secret.',
  'consortium-gateway':
    'Called by another consortium organisation\u2019s gateway, signed with its gateway identity (certificate role=gateway).',
};

/** The OpenAPI 3.1 description of every registered route. */
export function openApiDocument(docs: readonly RouteDoc[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of docs) {
    const path = doc.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters = [...doc.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[path] ??= {};
    paths[path][doc.method] = {
      tags: [doc.tag],
      summary: doc.summary,
      description: SECURITY[doc.audience],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(doc.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: z.toJSONSchema(doc.body, { io: 'input' }) } },
            },
          }
        : {}),
      ...(doc.rawBody
        ? {
            requestBody: {
              required: true,
              content: { [doc.rawBody]: { schema: { type: 'string', format: 'binary' } } },
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries(doc.responses).map(([status, description]) => [
          status,
          Number(status) >= 400
            ? {
                description,
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
              }
            : { description },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'MedShare gateway',
      version,
      description:
        'Zero-trust sharing of encrypted medical images over a Hyperledger Fabric consortium. ' +
        'State-changing requests need the X-CSRF-Token header from GET /api/session.',
    },
    paths,
    components: { schemas: { Error: ERROR } },
  };
}
