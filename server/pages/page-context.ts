// The Ctx a template gets for a request: the page's language (?lang=en, else zh-CN), the server's
// clock, who is signed in (with their organisation, for the header) and the form token when the
// page has forms — every page of a signed-in user has one, the sign-out button in the header.
import type { Request, Response } from 'express';
import type { Clock } from '../../modules/core/clock';
import type { OrgFacts } from '../../modules/orgs/org-facts';
import { ctxFor, type Ctx, type Viewer } from '../../templates/pages/layout';
import { langOf } from '../../templates/pages/strings';
import type { FormTokens } from '../http/form-token';

export interface PageContextDeps {
  clock: Clock;
  orgs: Pick<OrgFacts, 'nameAndStatus'>;
  tokens: FormTokens;
}

export type PageContext = (req: Request, res: Response, opts?: { form?: boolean }) => Promise<Ctx>;

export function pageContext(deps: PageContextDeps): PageContext {
  return async (req, res, opts = {}) => {
    const actor = req.ctx?.actor ?? null;
    let viewer: Viewer | null = null;
    if (actor) {
      const org = actor.orgId ? await deps.orgs.nameAndStatus(actor.orgId) : null;
      viewer = { username: actor.username, displayName: actor.displayName, role: actor.role, orgName: org?.name ?? null, orgStatus: org?.status ?? null };
    }
    // A page read with an API token (a script) has no session to sign out of, and needs no form token.
    const byToken = (req as { authByToken?: boolean }).authByToken === true;
    const formToken = !byToken && (opts.form || viewer) ? deps.tokens.issue(req, res) : null;
    return ctxFor(langOf((req.query as Record<string, unknown>).lang), deps.clock.now(), { viewer, formToken });
  };
}
