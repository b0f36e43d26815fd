import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';

/** A refusal the API answers with `status` and the stable `code`, and a message safe to show. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = status;
    this.code = code;
    this.details = options.details ?? {};
  }
}

/**
 * Maps a module's typed error to an HTTP refusal. Each module registers its
 * own mapping with the app, so this file need not know every error type.
 */
export type ErrorMapper = (error: unknown) => HttpError | undefined;

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; requestId: string };
}

interface BodyParserError {
  type?: string;
  status?: number;
}

function fromBodyParser(error: unknown): HttpError | undefined {
  const { type, status } = error as BodyParserError;
  if (type === 'entity.too.large') {
    return new HttpError(413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than this endpoint accepts');
  }
  if (type === 'entity.parse.failed')
    return new HttpError(400, 'MALFORMED_JSON', 'the body is not valid JSON');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return new HttpError(415, 'UNSUPPORTED_ENCODING', 'send UTF-8 JSON without content encoding');
  }
  if (typeof status === 'number' && status >= 400 && status < 500 && type !== undefined) {
    return new HttpError(status, 'BAD_REQUEST', 'the request could not be read');
  }
  return undefined;
}

function fromZod(error: unknown): HttpError | undefined {
  if (!(error instanceof ZodError)) return undefined;
  const issues = error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  const message = first ? `${first.path || 'body'}: ${first.message}` : 'the request is invalid';
  return new HttpError(400, 'INVALID_REQUEST', message, { details: { issues } });
}

/** The one error middleware: every failure becomes `{error: {code, message}}` with its status. */
export function errorHandler(logger: Logger, mappers: readonly ErrorMapper[]): ErrorRequestHandler {
  const all = [fromZod, fromBodyParser, ...mappers];
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let mapped = error instanceof HttpError ? error : undefined;
    for (const map of all) {
      if (mapped) break;
      mapped = map(error);
    }
    const requestId = String(res.locals.requestId ?? '');
    if (!mapped) {
      logger.error(
        { err: error, requestId, route: (req.route as { path?: string } | undefined)?.path },
        'unexpected error',
      );
      mapped = new HttpError(500, 'INTERNAL', 'the gateway failed; the request id identifies it in the logs');
    } else if (mapped.status >= 500) {
      logger.warn({ code: mapped.code, cause: describeCause(error), requestId }, mapped.message);
    }
    if (mapped.status === 429 && typeof mapped.details.retryAfterSeconds === 'number') {
      res.set('Retry-After', String(mapped.details.retryAfterSeconds));
    }
    const body: ErrorBody = {
      error: {
        code: mapped.code,
        message: mapped.message,
        ...(Object.keys(mapped.details).length > 0 ? { details: mapped.details } : {}),
        requestId,
      },
    };
    res.status(mapped.status).json(body);
  };
}

function describeCause(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Unknown paths under the API answer 404 in the same shape. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`));
};
