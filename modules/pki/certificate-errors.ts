// How the PKI refuses a certificate, key, request or proof — one 422 with a code and what to do —
// and how its messages write instants and X.509 names.
import { AppError } from '../core/errors';

export const iso = (ms: number) => new Date(ms).toISOString();
export const certError = (code: string, message: string) => new AppError(422, code, message);
/** An X.509 name as node:crypto gives it (one attribute a line), on one line. */
export const oneLine = (name: string) => name.split('\n').join(', ');
