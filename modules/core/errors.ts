// The one error type of the platform: a stable machine code, an HTTP status and a message a
// person can act on. Everything the HTTP layer answers with goes through this shape.

export interface ErrorDetail {
  field?: string;
  rule?: string;
  message: string;
  [key: string]: unknown;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details?: AppError['details']) => new AppError(400, 'bad_request', message, details);
export const unauthenticated = (message = 'Log in or send an API token (Authorization: Bearer …) to do this.') => new AppError(401, 'unauthenticated', message);
export const forbidden = (message: string) => new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} was not found.`);
export const conflict = (message: string, details?: AppError['details']) => new AppError(409, 'conflict', message, details);
/** A lifecycle move that is not allowed now; `facts` (from, to, state) go into one detail entry. */
export const invalidTransition = (message: string, facts?: Record<string, unknown>) => new AppError(409, 'invalid_transition', message, facts ? [{ ...facts, message }] : undefined);
export const tooLarge = (message: string) => new AppError(413, 'payload_too_large', message);
export const validationFailed = (message: string, details: ErrorDetail[]) => new AppError(422, 'validation_failed', message, details);
/** A rule of the centre (docs/rules.md) refuses the request; `rule` names it so the person can look it up. */
export const ruleViolation = (rule: string, message: string, extra: Record<string, unknown> = {}) => new AppError(422, 'rule_violation', message, [{ rule, message, ...extra }]);
export const tooManyRequests = (message: string) => new AppError(429, 'too_many_requests', message);
