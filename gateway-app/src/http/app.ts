import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import type session from 'express-session';
import {
  authErrorMapper,
  caErrorMapper,
  federationErrorMapper,
  ledgerErrorMapper,
  storageErrorMapper,
} from './error-mappers';
import { errorHandler, notFound } from './errors';
import { openApiDocument } from './openapi';
import { ApiRoutes } from './routes';
import { contentRoutes, type ContentDeps } from './routes/content';
import { deviceCheckRoutes, type DeviceCheckDeps } from './routes/device-checks';
import { deviceEnrolmentRoutes, type EnrolmentDeps, userEnrolmentRoutes } from './routes/enrolments';
import { healthRoutes, type ReadinessChecks } from './routes/health';
import { trustRoutes, type TrustDeps } from './routes/trust';
import { directoryRoutes, type DirectoryDeps } from './routes/directory';
import { erasureRoutes, type ErasureDeps } from './routes/erasures';
import { meRoutes } from './routes/me';
import { operatorRoutes } from './routes/operator';
import type { NetworkProbes } from './routes/operator-health';
import { sessionRoutes, type SessionDeps } from './routes/session';
import { transactionRoutes, type TransactionDeps } from './routes/transactions';
import { serveWebApp, uiConfigRoutes } from './routes/web';
import { revocationGuard, type Revocations } from './revocation-guard';
import { csrfGuard, loginRateLimit, securityHeaders } from './security';
import { sessionLifetime, sessions } from './session';

/** Everything the gateway's HTTP API is built from; each part is passed in, never looked up. */
export interface AppDeps
  extends
    Omit<SessionDeps, 'rateLimit'>,
    Omit<EnrolmentDeps, 'rateLimit'>,
    Omit<DeviceCheckDeps, 'publicOrigin'>,
    TransactionDeps,
    TrustDeps,
    Omit<DirectoryDeps, 'accounts'>,
    Omit<ContentDeps, 'deviceCheckMaxAgeMs'>,
    ErasureDeps {
  logger: Logger;
  publicOrigin: string;
  sessionStore: session.Store;
  sessionSecret: string;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  loginRateLimit: { limit: number; windowSeconds: number };
  /** Origins of device agents the page may ask for posture reports (CSP connect-src). */
  deviceAgentOrigins: readonly string[];
  /** The device agent URL to suggest to users of each organisation. */
  deviceAgents: Readonly<Record<string, string>>;
  /** The built web UI (`web/dist`); undefined serves the API only. */
  webRoot: string | undefined;
  readiness: ReadinessChecks;
  /** What operators see of the network's health, component by component. */
  network: NetworkProbes;
  /** Certificates revoked by their CAs (from the channel configuration), and the gateway's own standing. */
  revocations: Revocations;
  version: string;
}

const JSON_LIMIT = '64kb';

/** The gateway's HTTP API as an Express app (no listening: see server.ts). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const requestId = randomBytes(8).toString('hex');
    res.locals.requestId = requestId;
    res.set('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      deps.logger.info(
        {
          requestId,
          method: req.method,
          route: (req.route as { path?: string } | undefined)?.path ?? 'unmatched',
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
        },
        'request',
      );
    });
    next();
  });
  app.use(securityHeaders(deps.deviceAgentOrigins));

  const api = new ApiRoutes();
  const rateLimit = loginRateLimit(deps.loginRateLimit.limit, deps.loginRateLimit.windowSeconds);
  healthRoutes(api, deps.readiness, () => openApiDocument(api.docs, deps.version));
  uiConfigRoutes(api, deps);
  trustRoutes(api, deps);

  // Device agents enrol with their one-time secret; no cookie, so no session and no CSRF token.
  const agents = new ApiRoutes();
  deviceEnrolmentRoutes(agents, { ...deps, rateLimit });

  const users = new ApiRoutes();
  sessionRoutes(users, { ...deps, rateLimit });
  userEnrolmentRoutes(users, { ...deps, rateLimit });
  meRoutes(users, deps.accounts);
  directoryRoutes(users, api, deps);
  deviceCheckRoutes(users, deps);
  transactionRoutes(users, deps);
  contentRoutes(users, { ...deps, deviceCheckMaxAgeMs: deps.deviceCheckMaxAgeMs });
  operatorRoutes(users, deps);
  erasureRoutes(users, deps);
  api.docs.push(...agents.docs, ...users.docs);

  app.use(api.router);
  if (deps.webRoot) serveWebApp(app, deps.webRoot);
  app.use(express.json({ limit: JSON_LIMIT, type: 'application/json' }), agents.router);
  app.use(
    sessions({
      store: deps.sessionStore,
      secret: deps.sessionSecret,
      publicOrigin: deps.publicOrigin,
      idleSeconds: deps.sessionIdleSeconds,
    }),
  );
  app.use(sessionLifetime(deps.sessionAbsoluteSeconds));
  app.use(revocationGuard(deps.accounts, deps.revocations));
  app.use(csrfGuard(deps.publicOrigin));
  app.use(express.json({ limit: JSON_LIMIT, type: 'application/json' }), users.router);
  app.use('/api', notFound);
  app.use(
    errorHandler(deps.logger, [
      ledgerErrorMapper,
      caErrorMapper,
      federationErrorMapper,
      authErrorMapper,
      storageErrorMapper,
    ]),
  );
  return app;
}
