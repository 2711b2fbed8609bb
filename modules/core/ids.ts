// Public objects get application-generated, sortable ULIDs (never database auto-increment ids).
import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

export function newId(): string {
  return next();
}

export const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
