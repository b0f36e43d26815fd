import type { ApiRoutes } from '../routes';

/** What readiness depends on: each check answers whether its part works. */
export type ReadinessChecks = Readonly<Record<string, () => Promise<boolean>>>;

/** Liveness, readiness and the API description. */
export function healthRoutes(api: ApiRoutes, checks: ReadinessChecks, openApi: () => unknown): void {
  api.add(
    {
      method: 'get',
      path: '/healthz',
      tag: 'health',
      summary: 'Liveness: the process answers',
      audience: 'anyone',
      responses: { 200: 'alive' },
    },
    (_req, res) => {
      res.json({ status: 'ok' });
    },
  );
  api.add(
    {
      method: 'get',
      path: '/readyz',
      tag: 'health',
      summary: 'Readiness: peers, CAs, storage and the database answer',
      audience: 'anyone',
      responses: { 200: 'ready', 503: 'a dependency is down; the body names it' },
    },
    async (_req, res) => {
      const results = Object.fromEntries(
        await Promise.all(
          Object.entries(checks).map(
            async ([name, check]) => [name, await check().catch(() => false)] as const,
          ),
        ),
      );
      const ready = Object.values(results).every(Boolean);
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: results });
    },
  );
  api.add(
    {
      method: 'get',
      path: '/api/openapi.json',
      tag: 'health',
      summary: 'This API, described in OpenAPI 3.1',
      audience: 'anyone',
      responses: { 200: 'the OpenAPI document' },
    },
    (_req, res) => {
      res.json(openApi());
    },
  );
}
