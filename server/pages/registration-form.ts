// The registration form read into the API's registration body (registerOrgBody), every problem
// named at its field in the page's language. The credit code gets the precise reason, from the
// same check the page script runs while it is typed (modules/orgs/credit-code.ts).
import { checkCreditCode } from '../../modules/orgs/credit-code';
import { registerOrgBody, type RegisterOrgInput } from '../../modules/orgs/orgs-schemas';
import type { Ctx } from '../../templates/pages/layout';
import { fill } from '../../templates/pages/text';

export type RegistrationRead = { ok: true; input: RegisterOrgInput } | { ok: false; errors: Record<string, string> };

const one = (body: Record<string, unknown>, name: string, max: number): string => {
  const v = body[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
};

/** The words for a credit code's problem, or null when the code is right. */
export function creditCodeMessage(c: Ctx, code: string): string | null {
  const a = c.s.account;
  const r = checkCreditCode(code);
  if (r.ok) return null;
  const p = r.problem;
  switch (p.kind) {
    case 'length':
      return fill(a.creditLength, { length: p.length });
    case 'character':
      return fill(a.creditCharacter, { position: p.position, character: p.character });
    case 'authority':
      return fill(a.creditAuthority, { character: p.character });
    case 'division':
      return a.creditDivision;
    case 'check':
      return fill(a.creditCheck, { expected: p.expected, found: p.found });
  }
}

export function readRegistration(c: Ctx, body: Record<string, unknown> | undefined): RegistrationRead {
  const b = body ?? {};
  const a = c.s.account;
  const email = one(b, 'contactEmail', 300).trim();
  const address = one(b, 'address', 400).trim();
  const candidate = {
    name: one(b, 'name', 300),
    creditCode: one(b, 'creditCode', 40),
    contactName: one(b, 'contactName', 200),
    contactPhone: one(b, 'contactPhone', 100),
    ...(email ? { contactEmail: email } : {}),
    ...(address ? { address } : {}),
    representatives: [{ username: one(b, 'username', 200), displayName: one(b, 'displayName', 200), password: one(b, 'password', 201) }],
  };
  const errors: Record<string, string> = {};
  const messages: Record<string, string> = {
    name: a.fieldOrgName,
    contactName: a.fieldContactName,
    contactPhone: a.fieldPhone,
    contactEmail: a.fieldEmail,
    address: a.fieldAddress,
    username: a.fieldUsername,
    displayName: a.fieldDisplayName,
    password: a.fieldPassword,
  };
  const parsed = registerOrgBody.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // representatives.0.username → username: the form has one representative.
      const field = String(issue.path[0] === 'representatives' ? issue.path[2] : issue.path[0]);
      if (field === 'creditCode' || errors[field]) continue;
      errors[field] = messages[field] ?? a.fieldRequired;
    }
  }
  const code = candidate.creditCode.trim().toUpperCase();
  const creditProblem = code ? creditCodeMessage(c, code) : a.fieldRequired;
  if (creditProblem) errors.creditCode = creditProblem;
  if (one(b, 'repeatPassword', 201) !== candidate.representatives[0]!.password) errors.repeatPassword = a.fieldRepeat;
  if (Object.keys(errors).length || !parsed.success) return { ok: false, errors };
  return { ok: true, input: parsed.data };
}
