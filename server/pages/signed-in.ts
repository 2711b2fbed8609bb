// The guard of the pages that need a signed-in user: a signed-out visitor is sent to the sign-in
// page (303), which brings them back here afterwards (in the same language).
import type { RequestHandler } from 'express';
import { seeOther } from './respond';

export const signedIn: RequestHandler = (req, res, next) => {
  if (req.ctx.actor) return next();
  const lang: Record<string, string> = (req.query as Record<string, unknown>).lang === 'en' ? { lang: 'en' } : {};
  seeOther(res, `/login?${new URLSearchParams({ next: req.path, ...lang })}`);
};
