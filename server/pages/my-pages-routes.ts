// The signed-in user's work pages: keys and certificates (/account/keys, revocation as a confirmed
// form post), my bids (/account/bids, the receipt download, withdrawal as a confirmed form post) and
// my custody (/account/custody). Each reads through the service with the user's own context, so a
// page shows exactly what the JSON API shows that user; the browser-side work (keys, receipt checks,
// share release) is done by the pages' scripts against the JSON API.
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { MyBids } from '../../modules/bids/bids-schemas';
import type { BidsService } from '../../modules/bids/bids-service';
import type { Receipt } from '../../modules/formats/receipt';
import { AppError, notFound } from '../../modules/core/errors';
import type { CustodyService } from '../../modules/custody/custody-service';
import { revokeBody } from '../../modules/pki/pki-schemas';
import type { PkiService } from '../../modules/pki/pki-service';
import { custodyPage } from '../../templates/pages/custody-page';
import { emptyForm, type FormState } from '../../templates/pages/forms';
import { type CertificateView, keyKindOf, keysPage, revokePage } from '../../templates/pages/keys-page';
import { type Ctx, href } from '../../templates/pages/layout';
import { failureText } from '../../templates/pages/messages';
import { biddingOpen, myBidsPage, withdrawPage } from '../../templates/pages/my-bids-page';
import { fill } from '../../templates/pages/text';
import type { FormTokens } from '../http/form-token';
import type { PageContext } from './page-context';
import { failureOf, seeOther, sendPage } from './respond';
import { signedIn } from './signed-in';

export interface MyPagesDeps {
  pki: Pick<PkiService, 'listMine' | 'revoke'>;
  bids: Pick<BidsService, 'myBidsEverywhere' | 'receipt' | 'withdrawalReceipt' | 'withdraw'>;
  custody: Pick<CustodyService, 'mySections'>;
  tokens: FormTokens;
  context: PageContext;
}

/** The API codes a share release can meet, for the custody page's script to show in the page's language. */
const RELEASE_CODES = ['custody.too_early', 'custody.share_invalid', 'conflict', 'invalid_transition', 'forbidden', 'not_found', 'unauthenticated', 'cross_site_request', 'validation_failed'];

/** The API codes getting a certificate can meet, for the key page's script. */
const CERTIFY_CODES = ['forbidden', 'org_not_approved', 'challenge_expired', 'challenge_invalid', 'ca_not_valid', 'unauthenticated', 'cross_site_request', 'validation_failed'];

/** The page script's texts for a failure code, in the page's language: the vault's own, then the API's. */
function scriptErrors(c: Ctx, apiCodes: string[]): Record<string, string> {
  const errors: Record<string, string> = { ...c.s.mine.vaultErrors };
  for (const code of apiCodes) errors[code] = failureText(c.lang, { code, status: 400 });
  return errors;
}

const one = (req: Request, name: string): string | undefined => {
  const v = (req.query as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
};
const bodyText = (req: Request, name: string, max: number): string => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
};

/** One version of the organisation's bids, with its section, or null when it is not theirs. */
function findVersion(bids: MyBids, bidId: string) {
  for (const s of bids.sections) {
    const v = s.versions.find((x) => x.id === bidId);
    if (v) return { section: s.section, version: v };
  }
  return null;
}

export function myPagesRoutes(deps: MyPagesDeps): Router {
  const { pki, bids, custody, tokens, context } = deps;
  const router = Router();
  // The forms post a token and a short field, never more.
  const formBody = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });

  // ——— keys and certificates ———
  const myCertificate = async (req: Request, fingerprint: string): Promise<CertificateView> => {
    const cert = (await pki.listMine(req.ctx)).find((x) => x.fingerprint === fingerprint);
    if (!cert) throw notFound('The certificate');
    return cert;
  };

  router.get('/account/keys', signedIn, async (req, res) => {
    const c = await context(req, res);
    const note = one(req, 'certified') === '1' ? c.s.mine.msgCertified : one(req, 'revoked') === '1' ? c.s.mine.revoked : null;
    const actor = req.ctx.actor!;
    sendPage(res, 200, keysPage(c, { username: actor.username, kind: keyKindOf(actor.role), certificates: await pki.listMine(req.ctx), notice: note, errors: scriptErrors(c, CERTIFY_CODES) }));
  });

  router.get('/account/keys/revoke', signedIn, async (req, res) => {
    const certificate = await myCertificate(req, one(req, 'fingerprint') ?? '');
    sendPage(res, 200, revokePage(await context(req, res, { form: true }), { certificate, form: emptyForm() }));
  });

  const revokeRefused = async (req: Request, res: Response, status: number, form: FormState) => {
    const certificate = await myCertificate(req, bodyText(req, 'fingerprint', 64));
    sendPage(res, status, revokePage(await context(req, res, { form: true }), { certificate, form }));
  };
  router.post(
    '/account/keys/revoke',
    formBody,
    tokens.verify,
    signedIn,
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const fingerprint = bodyText(req, 'fingerprint', 64);
      const reason = bodyText(req, 'reason', 501);
      const parsed = revokeBody.safeParse({ reason });
      if (!parsed.success) return revokeRefused(req, res, 422, { values: { reason }, errors: { reason: c.s.mine.revokeReasonInvalid } });
      try {
        await pki.revoke(req.ctx, (await myCertificate(req, fingerprint)).fingerprint, parsed.data.reason);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500 || err.status === 404) throw err;
        return revokeRefused(req, res, err.status, { values: { reason }, errors: {}, problem: failureText(c.lang, failureOf(err, res)) });
      }
      seeOther(res, href(c, '/account/keys', { revoked: '1' }));
    },
    refused((req, res, status, problem) => revokeRefused(req, res, status, { values: { reason: bodyText(req, 'reason', 500) }, errors: {}, problem })),
  );

  // ——— my bids ———
  router.get('/account/bids', signedIn, async (req, res) => {
    const c = await context(req, res);
    const mine = await bids.myBidsEverywhere(req.ctx);
    const withdrawn = one(req, 'withdrawn');
    const found = withdrawn ? findVersion(mine, withdrawn) : null;
    const note = found && found.version.status === 'withdrawn' ? fill(c.s.mine.withdrawn, { code: found.section.code, version: found.version.version }) : null;
    sendPage(res, 200, myBidsPage(c, { bids: mine, notice: note }));
  });

  // The receipt as a file: the receipt itself (what /receipt and the verifier take), never another organisation's.
  const receiptFile = (res: Response, receipt: Receipt, name: string) =>
    res
      .status(200)
      .attachment(name)
      .set({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
      .send(`${JSON.stringify(receipt, null, 2)}\n`);
  router.get('/account/bids/:id/receipt', signedIn, async (req, res) => {
    const receipt = await bids.receipt(req.ctx, req.params.id as string);
    receiptFile(res, receipt, `etender-receipt-${receipt.bid.id}.json`);
  });
  // A withdrawn version's withdrawal receipt, the same way (404 for a version not withdrawn).
  router.get('/account/bids/:id/withdrawal-receipt', signedIn, async (req, res) => {
    const receipt = await bids.withdrawalReceipt(req.ctx, req.params.id as string);
    receiptFile(res, receipt, `etender-withdrawal-receipt-${receipt.bid.id}.json`);
  });

  /** The withdrawal page of a version of the bidder's own organisation (404 for anyone else's). */
  const withdrawView = async (req: Request, res: Response, status: number, form: FormState) => {
    const found = findVersion(await bids.myBidsEverywhere(req.ctx), req.params.id as string);
    if (!found) throw notFound('The bid');
    const c = await context(req, res, { form: true });
    const allowed = found.version.status === 'current' && biddingOpen(found.section, c.now);
    sendPage(res, status, withdrawPage(c, { bidId: found.version.id, code: found.section.code, version: found.version.version, form, allowed }));
  };
  router.get('/account/bids/:id/withdraw', signedIn, (req, res) => withdrawView(req, res, 200, emptyForm()));
  router.post(
    '/account/bids/:id/withdraw',
    formBody,
    tokens.verify,
    signedIn,
    async (req: Request, res: Response) => {
      const c = await context(req, res, { form: true });
      const id = req.params.id as string;
      try {
        await bids.withdraw(req.ctx, id);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500 || err.status === 404) throw err;
        return withdrawView(req, res, err.status, { values: {}, errors: {}, problem: failureText(c.lang, failureOf(err, res)) });
      }
      seeOther(res, href(c, '/account/bids', { withdrawn: id }));
    },
    refused((req, res, status, problem) => withdrawView(req, res, status, { values: {}, errors: {}, problem })),
  );

  // ——— my custody ———
  router.get('/account/custody', signedIn, async (req, res) => {
    const c = await context(req, res);
    sendPage(res, 200, custodyPage(c, { username: req.ctx.actor!.username, custody: await custody.mySections(req.ctx), errors: scriptErrors(c, RELEASE_CODES) }));
  });

  return router;

  /** A form post refused as a whole (an expired form token, a cross-origin post stays an error): the page again with the problem. */
  function refused(render: (req: Request, res: Response, status: number, problem: string) => Promise<void>) {
    return async (err: unknown, req: Request, res: Response, next: NextFunction): Promise<void> => {
      if (!(err instanceof AppError) || err.status >= 500 || err.code === 'cross_site_request' || !req.ctx?.actor) return next(err);
      const c: Ctx = await context(req, res, { form: true });
      await render(req, res, err.status, failureText(c.lang, failureOf(err, res)));
    };
  }
}
