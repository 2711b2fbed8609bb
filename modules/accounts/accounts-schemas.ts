import { z } from 'zod';
import { oneLineText } from '../core/text';
import { ROLES } from '../core/context';
import { CENTRE_CODES } from '../centres/centre-rules';
import { normaliseUsername, usernameProblem } from './usernames';

/** Checked in its normalised form (usernames.ts), which is also the form the account is stored under. */
export const USERNAME = z
  .string()
  .max(200)
  .superRefine((value, ctx) => {
    const problem = usernameProblem(normaliseUsername(value));
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('3–64 letters, digits, "_", "." or "-"; stored in lower case (NFKC), without surrounding spaces');
export const PASSWORD = z.string().min(12, 'must have at least 12 characters').max(200);
export const DISPLAY_NAME = oneLineText(1, 100);

export const loginBody = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });

export const createUserBody = z.strictObject({
  username: USERNAME,
  displayName: DISPLAY_NAME,
  role: z.enum(ROLES.filter((r) => r !== 'bidder') as [string, ...string[]]).describe('Staff role; bidders register through their organisation.'),
  password: PASSWORD,
  centres: z.array(z.enum(CENTRE_CODES)).max(4).optional().describe('Centres an operator acts for.'),
});

export const updateUserBody = z.strictObject({
  displayName: DISPLAY_NAME.optional(),
  disabled: z.boolean().optional(),
  centres: z.array(z.enum(CENTRE_CODES)).max(4).optional(),
});

export const createTokenBody = z.strictObject({
  name: oneLineText(1, 100),
  expiresInDays: z.int().min(1).max(3650).optional(),
});

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: PASSWORD,
  revokeTokens: z.boolean().optional().describe('Also revoke every API token of the account (default: keep them; the answer says how many are active).'),
});
