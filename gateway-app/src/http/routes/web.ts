import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ApiRoutes } from '../routes';

/** What the page learns before sign-in: no secrets, only where things are. */
export interface UiConfigDeps {
  organisations(): readonly string[];
  /** The device agent URL to suggest per organisation (a demo runs one per organisation). */
  deviceAgents: Readonly<Record<string, string>>;
  deviceAgentOrigins: readonly string[];
}

/** `GET /api/ui-config`: the organisations to sign in to and the device agent to ask. */
export function uiConfigRoutes(api: ApiRoutes, deps: UiConfigDeps): void {
  api.add(
    {
      method: 'get',
      path: '/api/ui-config',
      tag: 'session',
      summary: 'Settings the web UI needs before sign-in: organisations and device agent addresses',
      audience: 'anyone',
      responses: { 200: '{organisations, deviceAgents, defaultDeviceAgent}' },
    },
    (_req, res) => {
      res.json({
        organisations: deps.organisations(),
        deviceAgents: deps.deviceAgents,
        defaultDeviceAgent: deps.deviceAgentOrigins[0] ?? 'http://127.0.0.1:7391',
      });
    },
  );
}

/**
 * Serves the built single-page app (`web/dist`): hashed assets are cached for
 * good, `index.html` never is, so a new build is picked up at once. Without a
 * build, `/` says how to make one.
 */
export function serveWebApp(app: Express, webRoot: string): void {
  const index = join(webRoot, 'index.html');
  app.use(
    express.static(webRoot, {
      index: false,
      fallthrough: true,
      setHeaders(res, file) {
        const hashed = relative(webRoot, file).startsWith(`assets${sep}`);
        res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  app.get(['/', '/index.html'], (_req, res) => {
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The MedShare web UI is not built. Run `npm run build` (or scripts/setup.sh), then reload.\n');
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
}
