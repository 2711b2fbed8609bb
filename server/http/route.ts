// Declares an API route once: the same zod schemas validate the request, type the handler and
// describe the route in the OpenAPI document.
import type { NextFunction, Request, Response, Router } from 'express';
import type { z } from 'zod';
import { unauthenticated, validationFailed, type ErrorDetail } from '../../modules/core/errors';
import type { RequestContext } from '../../modules/core/context';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteInput<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
  ctx: RequestContext;
  req: Request;
  res: Response;
}

export interface RouteSpec<BS extends z.ZodType | undefined, QS extends z.ZodType | undefined, RS extends z.ZodType | undefined = undefined> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  /** Who may call it, for the document; the service enforces it per object. */
  access: string;
  /** Callable without signing in. Otherwise an anonymous call is answered 401 before the body is even read. */
  public?: boolean;
  body?: BS;
  query?: QS;
  /** Status of a successful answer (default 200; 204 for an answer without a body). */
  status?: number;
  /**
   * The success body's schema (modules/formats for the published formats), for the OpenAPI
   * document and the response tests. In production the handler's result is not re-validated at
   * run time; the test app turns the check on (ApiRegistry's checkResponses).
   */
  response?: RS;
  /**
   * A file answer (PDF, CSV, PEM, an age file) that the handler writes itself: its media types and
   * what it is. With `response` as well, the JSON answer is the default and a query picks the file.
   */
  responseFile?: { mediaTypes: string[]; description: string };
  /** Extra OpenAPI fields, e.g. a non-JSON request or response body. */
  openapi?: Record<string, unknown>;
  /** The handler writes the response itself (streams, files) when it returns undefined. */
  handler: (
    input: RouteInput<BS extends z.ZodType ? z.infer<BS> : undefined, QS extends z.ZodType ? z.infer<QS> : undefined>,
    // With a response schema, what the handler answers must be of its type (undefined: it wrote the answer itself).
  ) => Promise<RS extends z.ZodType ? z.input<RS> | undefined : unknown>;
}

type AnySpec = RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

export function zodIssuesToDetails(error: z.ZodError, where: 'body' | 'query'): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const field = base ? `${base}.${key}` : key;
        details.push({ field, message: `"${field}" is not a known field of the ${where}.` });
      }
    } else {
      const field = base || '(root)';
      details.push({ field, message: `"${field}": ${issue.message}` });
    }
  }
  return details;
}

function parseOrThrow(schema: z.ZodType, value: unknown, where: 'body' | 'query') {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = zodIssuesToDetails(result.error, where);
  const fields = [...new Set(details.map((d) => d.field))].join(', ');
  throw validationFailed(`The request ${where} is invalid (${fields}). ${details[0]?.message ?? ''}`.trim(), details);
}

/** A JSON answer that does not match its route's response schema: a fault of the server, never of the caller. */
function checkResponse(spec: AnySpec, result: unknown): void {
  if (!spec.response) return;
  const parsed = spec.response.safeParse(result);
  if (!parsed.success) {
    throw new Error(`${spec.method.toUpperCase()} ${spec.path} answered outside its response schema: ${JSON.stringify(parsed.error.issues.slice(0, 5))}`);
  }
}

export class ApiRegistry {
  readonly specs: AnySpec[] = [];

  /** checkResponses: parse every JSON answer with its route's response schema (tests; off in production). */
  constructor(private readonly options: { checkResponses?: boolean } = {}) {}

  add<BS extends z.ZodType | undefined = undefined, QS extends z.ZodType | undefined = undefined, RS extends z.ZodType | undefined = undefined>(router: Router, spec: RouteSpec<BS, QS, RS>): void {
    const declared = spec as unknown as AnySpec;
    this.specs.push(declared);
    router[spec.method](spec.path, async (req: Request, res: Response, next: NextFunction) => {
      try {
        if (!spec.public && !req.ctx.actor) throw unauthenticated();
        const body = spec.body ? parseOrThrow(spec.body, req.body ?? {}, 'body') : undefined;
        const query = spec.query ? parseOrThrow(spec.query, { ...(req.query as object) }, 'query') : undefined;
        const result = await spec.handler({
          body: body as never,
          query: query as never,
          params: req.params as Record<string, string>,
          ctx: req.ctx,
          req,
          res,
        });
        if (result !== undefined && !res.headersSent) {
          if (this.options.checkResponses) checkResponse(declared, result);
          res.status(spec.status ?? 200).json(result);
        }
      } catch (err) {
        next(err);
      }
    });
  }
}
