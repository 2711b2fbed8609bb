import { z } from 'zod';
import { oneLineText } from '../core/text';
import { ROLES } from '../core/context';
import { CENTRE_CODES } from '../centres/centre-rules';
import { epochMs } from '../formats/common';
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

// What the account routes answer.

/** An account as the API shows it (never its password hash). */
export const publicUserSchema = z.strictObject({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  orgId: z.string().nullable(),
  centres: z.array(z.string()),
  disabled: z.boolean(),
  createdAt: epochMs,
});
export type PublicUser = z.infer<typeof publicUserSchema>;

export const userResponse = z.strictObject({ user: publicUserSchema });
export const usersResponse = z.strictObject({ users: z.array(publicUserSchema) });

export const passwordChangeResultSchema = z.strictObject({
  /** The account's other login sessions, ended by the change (the one that made it stays). */
  sessionsEnded: z.int().min(0),
  tokensRevoked: z.int().min(0),
  /** API tokens of the account still usable after the change. */
  activeTokens: z.int().min(0),
});
export type PasswordChangeResult = z.infer<typeof passwordChangeResultSchema>;
export const passwordChangeResponse = passwordChangeResultSchema.extend({ message: z.string() });

/** An API token without its value (only its hash is kept). */
export const tokenSchema = z.strictObject({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  createdAt: epochMs,
  expiresAt: epochMs.nullable(),
  revokedAt: epochMs.nullable(),
});
export const createdTokenResponse = z.strictObject({ token: tokenSchema.extend({ token: z.string().describe('The token value, shown this once') }) });
export const tokensResponse = z.strictObject({ tokens: z.array(tokenSchema) });
