import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';

/** Who may call a route. */
export type Audience = 'anyone' | 'signed-in' | 'operator' | 'device-agent' | 'consortium-gateway';

/** One route's documentation, used to register it and to describe it in OpenAPI. */
export interface RouteDoc<B extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express path, for example `/api/transactions/:id/signatures`. */
  path: string;
  tag: string;
  summary: string;
  audience: Audience;
  body?: B;
  /** Raw body media type for streamed uploads (the body is not parsed). */
  rawBody?: string;
  responses: Readonly<Record<number, string>>;
}

type Handler<B extends z.ZodType> = (req: Request, res: Response, body: z.output<B>) => Promise<void> | void;

/**
 * The API's routes and their documentation in one place: a route is
 * registered and documented by the same call, and its JSON body is validated
 * against the documented schema before the handler runs.
 */
export class ApiRoutes {
  readonly router = Router();
  readonly docs: RouteDoc[] = [];

  add<B extends z.ZodType>(doc: RouteDoc<B>, ...handlers: [...RequestHandler[], Handler<B>]): void {
    const handler = handlers.pop() as Handler<B>;
    const before = handlers as RequestHandler[];
    this.docs.push(doc);
    this.router[doc.method](doc.path, ...before, async (req: Request, res: Response) => {
      const body = doc.body ? doc.body.parse(req.body ?? {}) : (undefined as z.output<B>);
      await handler(req, res, body);
    });
  }
}
