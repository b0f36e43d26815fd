import express, { type RequestHandler } from 'express';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { z } from 'zod';
import { errorHandler, HttpError, type ErrorBody } from './errors';
import { openApiDocument } from './openapi';
import { ApiRoutes } from './routes';
import { contentRoutes, type ContentDeps } from './routes/content';
import { deviceCheckRoutes, type DeviceCheckDeps } from './routes/device-checks';
import { deviceEnrolmentRoutes, userEnrolmentRoutes, type EnrolmentDeps } from './routes/enrolments';
import { healthRoutes } from './routes/health';
import { directoryRoutes } from './routes/directory';
import { meRoutes } from './routes/me';
import { operatorRoutes, type OperatorDeps } from './routes/operator';
import { sessionRoutes, type SessionDeps } from './routes/session';
import { transactionRoutes, type TransactionDeps } from './routes/transactions';

const METHODS = ['get', 'post', 'put', 'delete'] as const;

interface Operation {
  tags: string[];
  summary: string;
  description: string;
  parameters?: { name: string; in: string; required: boolean; schema: unknown }[];
  requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }>;
}

interface Document {
  openapi: string;
  info: { title: string; version: string; description: string };
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { schemas: Record<string, { type: string; required: string[] }> };
}

const asDocument = (doc: Record<string, unknown>): Document => doc as unknown as Document;

function operation(doc: Document, path: string, method: (typeof METHODS)[number]): Operation {
  const found = doc.paths[path]?.[method];
  assert.ok(found, `${method.toUpperCase()} ${path} is not documented`);
  return found;
}

/** Every (method, Express path) the registry's router actually serves. */
function served(api: ApiRoutes): { method: string; path: string }[] {
  return api.router.stack.flatMap((layer) => {
    const route = layer.route as unknown as { path: string; methods: Record<string, boolean> } | undefined;
    if (!route) return [];
    return Object.keys(route.methods).map((method) => ({ method, path: route.path }));
  });
}

const toTemplate = (path: string): string => path.replace(/:([A-Za-z]+)/g, '{$1}');

/** Checks the shape OpenAPI 3.1 requires and that every served route is described, and nothing else. */
function assertDescribes(doc: Document, api: ApiRoutes): void {
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  assert.equal(typeof doc.info.title, 'string');
  assert.ok(doc.info.title.length > 0);
  assert.equal(typeof doc.info.version, 'string');
  assert.ok(doc.components.schemas.Error);
  // The document is served as JSON: it must survive a round trip unchanged.
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);

  const routes = served(api);
  assert.ok(routes.length > 0);
  for (const { method, path } of routes) {
    assert.ok((METHODS as readonly string[]).includes(method), `${method} is not an OpenAPI method here`);
    operation(doc, toTemplate(path), method as (typeof METHODS)[number]);
  }
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method} ${path}`),
  );
  assert.deepEqual(
    documented.sort(),
    routes.map((r) => `${r.method} ${toTemplate(r.path)}`).sort(),
    'documented operations and served routes differ',
  );

  for (const [path, ops] of Object.entries(doc.paths)) {
    assert.match(path, /^\/[^:]*$/, `${path} still has an Express parameter`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(ops)) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.equal(op.tags.length, 1, where);
      assert.ok(op.summary.length > 0, where);
      assert.ok(op.description.length > 0, where);
      assert.deepEqual(
        (op.parameters ?? []).map((p) => p.name),
        templated,
        `${where}: path parameters`,
      );
      for (const parameter of op.parameters ?? []) {
        assert.deepEqual(
          { in: parameter.in, required: parameter.required, schema: parameter.schema },
          { in: 'path', required: true, schema: { type: 'string' } },
        );
      }
      if (op.requestBody) {
        assert.equal(op.requestBody.required, true, where);
        const media = Object.entries(op.requestBody.content);
        assert.equal(media.length, 1, where);
        const [type, { schema }] = media[0] ?? ['', { schema: {} }];
        if (type === 'application/json') assert.equal(schema.type, 'object', `${where}: a JSON object body`);
        else assert.deepEqual(schema, { type: 'string', format: 'binary' }, where);
      }
      assert.ok(Object.keys(op.responses).length > 0, `${where}: no responses`);
      for (const [status, response] of Object.entries(op.responses)) {
        assert.match(status, /^[1-5]\d\d$/, where);
        assert.ok(response.description.length > 0, `${where} ${status}`);
        if (Number(status) >= 400) {
          assert.equal(response.content?.['application/json']?.schema.$ref, '#/components/schemas/Error');
        } else {
          assert.equal(response.content, undefined);
        }
      }
    }
  }
}

const noteBody = z.strictObject({
  text: z.string().min(1).max(10),
  pinned: z.boolean().optional(),
});

/** A small registry covering each kind of route: JSON body, raw body, path parameters, two methods on one path. */
function sampleRoutes(): ApiRoutes {
  const api = new ApiRoutes();
  api.add(
    {
      method: 'get',
      path: '/api/things',
      tag: 'things',
      summary: 'List things',
      audience: 'anyone',
      responses: { 200: 'the things' },
    },
    (_req, res) => {
      res.json({ things: [] });
    },
  );
  api.add(
    {
      method: 'post',
      path: '/api/things/:thingId/notes',
      tag: 'things',
      summary: 'Add a note to a thing',
      audience: 'signed-in',
      body: noteBody,
      responses: { 201: 'the note', 400: 'a bad note', 404: 'no such thing' },
    },
    (req, res, body) => {
      if (req.params.thingId === 'missing') throw new HttpError(404, 'THING_NOT_FOUND', 'no such thing');
      res.status(201).json({ thingId: req.params.thingId, ...body });
    },
  );
  api.add(
    {
      method: 'get',
      path: '/api/things/:thingId/notes',
      tag: 'things',
      summary: 'The notes of a thing',
      audience: 'signed-in',
      responses: { 200: 'the notes' },
    },
    (_req, res) => {
      res.json({ notes: [] });
    },
  );
  api.add(
    {
      method: 'put',
      path: '/api/things/:thingId/files/:fileId',
      tag: 'files',
      summary: 'Upload a file',
      audience: 'operator',
      rawBody: 'application/octet-stream',
      responses: { 201: 'stored', 413: 'too large' },
    },
    (_req, res) => {
      res.status(201).end();
    },
  );
  api.add(
    {
      method: 'delete',
      path: '/api/things/:thingId',
      tag: 'things',
      summary: 'Delete a thing',
      audience: 'device-agent',
      responses: { 204: 'deleted' },
    },
    (_req, res) => {
      res.status(204).end();
    },
  );
  return api;
}

describe('openApiDocument', () => {
  it('describes every registered route, with its method, in OpenAPI 3.1 shape', () => {
    const api = sampleRoutes();
    const doc = asDocument(openApiDocument(api.docs, '9.8.7'));
    assertDescribes(doc, api);
    assert.equal(doc.info.version, '9.8.7');
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/api/things',
      '/api/things/{thingId}',
      '/api/things/{thingId}/files/{fileId}',
      '/api/things/{thingId}/notes',
    ]);
    assert.deepEqual(Object.keys(doc.paths['/api/things/{thingId}/notes'] ?? {}).sort(), ['get', 'post']);
    assert.deepEqual(
      operation(doc, '/api/things/{thingId}/files/{fileId}', 'put').parameters?.map((p) => p.name),
      ['thingId', 'fileId'],
    );
  });

  it('gives a JSON body its JSON Schema, as the route validates it', () => {
    const doc = asDocument(openApiDocument(sampleRoutes().docs, '1'));
    const post = operation(doc, '/api/things/{thingId}/notes', 'post');
    const schema = post.requestBody?.content['application/json']?.schema;
    assert.ok(schema);
    assert.equal(schema.type, 'object');
    assert.deepEqual(schema.required, ['text']);
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.properties, {
      text: { type: 'string', minLength: 1, maxLength: 10 },
      pinned: { type: 'boolean' },
    });
    assert.equal(operation(doc, '/api/things/{thingId}/notes', 'get').requestBody, undefined);
    assert.deepEqual(operation(doc, '/api/things/{thingId}/files/{fileId}', 'put').requestBody, {
      required: true,
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    });
  });

  it('points error responses at the shared Error schema, which matches the error body', () => {
    const doc = asDocument(openApiDocument(sampleRoutes().docs, '1'));
    const responses = operation(doc, '/api/things/{thingId}/notes', 'post').responses;
    assert.deepEqual(responses['201'], { description: 'the note' });
    assert.equal(responses['404']?.content?.['application/json']?.schema.$ref, '#/components/schemas/Error');
    const error = doc.components.schemas.Error;
    assert.deepEqual(error?.required, ['error']);
  });

  it('says who may call each route', () => {
    const doc = asDocument(openApiDocument(sampleRoutes().docs, '1'));
    const descriptions = [
      operation(doc, '/api/things', 'get').description,
      operation(doc, '/api/things/{thingId}/notes', 'get').description,
      operation(doc, '/api/things/{thingId}/files/{fileId}', 'put').description,
      operation(doc, '/api/things/{thingId}', 'delete').description,
    ];
    assert.equal(new Set(descriptions).size, 4);
    assert.match(descriptions[0] ?? '', /no sign-in/i);
    assert.match(descriptions[2] ?? '', /operator/i);
  });

  it("describes the gateway's own routes, registered as app.ts registers them", () => {
    const passThrough: RequestHandler = (_req, _res, next) => {
      next();
    };
    // Registering a route does not call its dependencies; only the rate limiter is mounted as middleware.
    const deps = { rateLimit: passThrough, deviceCheckMaxAgeMs: 60_000 } as unknown as SessionDeps &
      EnrolmentDeps &
      DeviceCheckDeps &
      TransactionDeps &
      ContentDeps &
      OperatorDeps;
    const api = new ApiRoutes();
    healthRoutes(api, {}, () => ({}));
    deviceEnrolmentRoutes(api, deps);
    sessionRoutes(api, deps);
    userEnrolmentRoutes(api, deps);
    meRoutes(api, deps.accounts);
    directoryRoutes(api, api, { ...deps, organisations: () => [] });
    deviceCheckRoutes(api, deps);
    transactionRoutes(api, deps);
    contentRoutes(api, deps);
    operatorRoutes(api, deps);
    const doc = asDocument(openApiDocument(api.docs, '0.1.0'));
    assertDescribes(doc, api);
    const prepare = operation(doc, '/api/transactions', 'post').requestBody?.content['application/json']
      ?.schema;
    assert.deepEqual(prepare?.required, ['fn', 'args']);
    assert.ok(operation(doc, '/api/transactions/{id}/signatures', 'post').requestBody);
    assert.ok(operation(doc, '/api/session', 'post').requestBody);
  });
});

describe('ApiRoutes', () => {
  async function withServer(run: (base: string) => Promise<void>): Promise<void> {
    const app = express();
    app.use((_req, res, next) => {
      res.locals.requestId = 'req-1';
      next();
    });
    app.use(express.json(), sampleRoutes().router);
    app.use(errorHandler(pino({ level: 'silent' }), []));
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await run(`http://127.0.0.1:${String((server.address() as AddressInfo).port)}`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  }

  const post = (url: string, body: unknown): Promise<Response> =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('validates a JSON body against the documented schema before the handler runs', async () => {
    await withServer(async (base) => {
      const ok = await post(`${base}/api/things/t1/notes`, { text: 'hello' });
      assert.equal(ok.status, 201);
      assert.deepEqual(await ok.json(), { thingId: 't1', text: 'hello' });

      for (const bad of [
        {},
        { text: '' },
        { text: 'far too long text' },
        { text: 'hi', extra: 1 },
        { text: 7 },
      ]) {
        const response = await post(`${base}/api/things/t1/notes`, bad);
        assert.equal(response.status, 400, JSON.stringify(bad));
        const { error } = (await response.json()) as ErrorBody;
        assert.equal(error.code, 'INVALID_REQUEST');
        assert.equal(error.requestId, 'req-1');
      }
    });
  });

  it("passes a handler's thrown HttpError to the error middleware", async () => {
    await withServer(async (base) => {
      const response = await post(`${base}/api/things/missing/notes`, { text: 'hello' });
      assert.equal(response.status, 404);
      assert.equal(((await response.json()) as ErrorBody).error.code, 'THING_NOT_FOUND');
    });
  });
});
