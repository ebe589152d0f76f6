// Request and response schemas of /auth, /users and /invitations; also their OpenAPI entries.
import { z } from 'zod';
import { PageInfoSchema, apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { email, idParams, objectId, pageQuery, password, roleEnum } from './common.validators';

// Messages a person reads under the form's fields (the web app shows details[].message as is).
const studioName = z.string().trim().min(2, 'must be at least 2 characters').max(120, 'must be at most 120 characters');
const personName = z.string().trim().min(1, 'is required').max(120, 'must be at most 120 characters');
/** No password here: anyone may type anyone's address, so the password is chosen by whoever follows the mailed link. */
export const registerBody = z.strictObject({ studioName, name: personName, email });
export const loginBody = z.strictObject({
  email,
  password: z.string().min(1).max(1024),
  studioId: objectId.optional().openapi({ description: 'The studio to sign in to; default: the one used last, else the first' }),
});
/** A mailed single-use token: 32 random bytes in base64url. */
export const linkToken = z.string().length(43, 'must be the token of a link you were sent').regex(/^[A-Za-z0-9_-]+$/, 'must be the token of a link you were sent');
export const verifyEmailBody = z.strictObject({
  token: linkToken,
  password: z.string().min(1, 'is required').max(1024).openapi({
    description: "For an address without an account, or with one never confirmed (migrated), the password to set (at least 10 characters, at most 72 bytes; an unconfirmed account's old password stops working and its sessions and tokens end); for an existing account, its password",
  }),
  name: personName.optional().openapi({ description: "A new account's name; default: the one given at registration" }),
  studioName: studioName.optional().openapi({ description: 'The studio to create; default: the name given at registration' }),
  sameNameOk: z.boolean().optional().openapi({ description: 'Create it even though the account already belongs to a studio of this name (else 409 STUDIO_NAME_TAKEN)' }),
});
export const verifyEmailPreviewQuery = z.strictObject({ token: linkToken });
export const passwordResetBody = z.strictObject({ email });
export const passwordResetPreviewQuery = z.strictObject({ token: linkToken });
export const confirmPasswordResetBody = z.strictObject({
  token: linkToken,
  password: z.string().min(1, 'is required').max(1024).openapi({ description: 'The new password: at least 10 characters, at most 72 bytes' }),
});
export const switchStudioBody = z.strictObject({ studioId: objectId });
export const studiosHoldingQuery = z.strictObject({ kind: z.enum(['asset', 'project', 'task']), id: objectId });
export const inviteBody = z.strictObject({ email, role: roleEnum });
export const invitationTokenQuery = z.strictObject({ token: linkToken });
export const acceptInvitationBody = z.strictObject({
  token: linkToken,
  password: z.string().min(1).max(1024).openapi({ description: 'An existing account\'s password, or the new account\'s (then at least 10 characters, at most 72 bytes); for an account never confirmed (migrated), a new password that replaces the old one and ends its sessions and tokens' }),
  name: z.string().trim().min(1).max(120).optional().openapi({ description: 'Required when the address has no account yet' }),
});
export const refreshBody = z.strictObject({
  refreshToken: z.string().min(20).max(200).optional().openapi({ description: 'Omit it in cookie mode: the web app\'s refresh cookie is used instead' }),
});
/** Cookie mode: the web app asks for its refresh token in an HttpOnly cookie; also the header that cookie requests must carry (CSRF). */
export const webClientHeaders = z.object({
  'x-studio-client': z.literal('web').optional().openapi({
    description: 'Cookie mode (the web app): the refresh token is set in an HttpOnly, SameSite=Strict cookie on Path=/auth and left out of the body; /auth/refresh and /auth/logout then read it from that cookie, and refuse it (403 CSRF_REFUSED) without this header or from another site; a cookie-mode sign-in (login, a registration link) from another site is refused the same way (login CSRF)',
  }),
});
export const changePasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(1024), newPassword: password });

export const updateUserBody = z
  .strictObject({ role: roleEnum.optional(), active: z.boolean().optional(), name: z.string().trim().min(1).max(120).optional() })
  .refine((b) => Object.keys(b).length > 0, 'provide at least one of role, active, name')
  .openapi({ minProperties: 1 });
export const listUsersQuery = pageQuery;
export const listInvitationsQuery = pageQuery;
export const userIdParams = idParams;

const UserSchema = apiRegistry.register(
  'User',
  z.object({
    id: z.string(),
    studioId: z.string(),
    email: z.string(),
    name: z.string(),
    role: roleEnum,
    kind: z.enum(['PERSON', 'BOT']).openapi({ description: 'BOT: a script\'s identity (POST /bots), acting only through API tokens' }),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
const AuthResultSchema = apiRegistry.register(
  'AuthResult',
  z.object({
    accessToken: z.string(),
    refreshToken: z.string().optional().openapi({ description: 'Absent in cookie mode (X-Studio-Client: web): then it is in the HttpOnly refresh cookie' }),
    user: UserSchema,
  }),
);
/** The Set-Cookie a cookie-mode reply carries. */
const refreshCookieHeaders = {
  'Set-Cookie': { description: 'Cookie mode only: studio_refresh=<token>; Path=/auth; HttpOnly; SameSite=Strict; Secure (outside development)', schema: { type: 'string' as const } },
};
const cookieJson = (description: string) => ({ description, headers: refreshCookieHeaders, ...json(AuthResultSchema) });
const RegistrationStartedSchema = apiRegistry.register(
  'RegistrationStarted',
  z.object({ status: z.literal('verification_sent'), expiresAt: z.string().openapi({ description: 'When the mailed link expires' }) }),
);
const accountKindEnum = z.enum(['new', 'existing', 'unconfirmed']).openapi({
  description: 'What following the link asks for: new: a name and a password for a new account; existing: the account\'s password; unconfirmed (an account from before addresses were proven): a new password, which ends its old sessions and tokens',
});
const RegistrationPreviewSchema = apiRegistry.register(
  'RegistrationPreview',
  z.object({ email: z.string(), studioName: z.string(), name: z.string(), expiresAt: z.string(), account: accountKindEnum }),
);
const MembershipSchema = apiRegistry.register(
  'Membership',
  z.object({ studioId: z.string(), studioName: z.string(), studioSlug: z.string(), studioCreatedAt: z.string().openapi({ description: 'When the studio was made (ISO 8601): tells apart studios of the same name' }), userId: z.string(), role: roleEnum, current: z.boolean() }),
);
const InvitationSchema = apiRegistry.register(
  'Invitation',
  z.object({
    id: z.string(),
    studioId: z.string(),
    email: z.string(),
    role: roleEnum,
    status: z.enum(['PENDING', 'ACCEPTED', 'REVOKED', 'EXPIRED']),
    invitedBy: z.string(),
    expiresAt: z.string(),
    createdAt: z.string(),
    acceptedAt: z.string().nullable(),
  }),
);
const InvitationPreviewSchema = apiRegistry.register(
  'InvitationPreview',
  z.object({ studioName: z.string(), email: z.string(), role: roleEnum, expiresAt: z.string(), accountExists: z.boolean(), account: accountKindEnum }),
);

apiRegistry.registerPath({
  method: 'post', path: '/auth/register', operationId: 'register', security: [], tags: ['auth'],
  summary: 'Start creating a studio: a link to confirm the address is mailed (the same answer whether the address has an account or not); the password is chosen on the link\'s page',
  description: 'One client (IP) gets one link per address per REGISTRATION_MAIL_INTERVAL_MINUTES (sooner: 429 REGISTRATION_RECENTLY_MAILED with Retry-After; later: a new link that replaces its earlier one), REGISTRATIONS_PER_CLIENT_PER_HOUR registrations an hour (429 REGISTRATION_RATE_LIMITED), and all clients together REGISTRATIONS_PER_HOUR (429 REGISTRATIONS_BUSY). Another client\'s requests never stop a mail to the address.',
  request: { body: jsonBody(registerBody) },
  responses: { 202: { description: 'Confirmation mailed; nothing exists until its link is followed', ...json(RegistrationStartedSchema) }, ...errorResponses(400, 422, 429, 503) },
});
apiRegistry.registerPath({
  method: 'get', path: '/auth/verify-email/preview', operationId: 'previewRegistration', security: [], tags: ['auth'],
  summary: 'What a registration link will do (its page shows this and acts only when its holder submits); reading it changes nothing',
  request: { query: verifyEmailPreviewQuery },
  responses: { 200: { description: 'The pending registration', ...json(RegistrationPreviewSchema) }, ...errorResponses(400, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/verify-email', operationId: 'verifyEmail', security: [], tags: ['auth'],
  summary: 'Follow a registration link with a password: creates the studio (and the account, unless the address has one) and signs in as its PRODUCER',
  description: 'The password is the one chosen here for a new (or never confirmed) account, else the existing account\'s own: a password typed at registration by someone else can never become the credential. Wrong passwords of an existing account count in the login throttle. In cookie mode a request from another site is refused (403 CSRF_REFUSED).',
  request: { body: jsonBody(verifyEmailBody), headers: webClientHeaders },
  responses: { 201: cookieJson('Studio created; signed in'), ...errorResponses(400, 401, 403, 409, 429, 503) },
});
const PasswordResetMailedSchema = apiRegistry.register('PasswordResetMailed', z.object({ status: z.literal('reset_mailed') }));
const PasswordResetPreviewSchema = apiRegistry.register(
  'PasswordResetPreview',
  z.object({ email: z.string(), expiresAt: z.string().openapi({ description: 'When the link stops working' }) }),
);
apiRegistry.registerPath({
  method: 'post', path: '/auth/password-reset', operationId: 'requestPasswordReset', security: [], tags: ['auth'],
  summary: 'Forgot password: mail the address a single-use link to choose a new password (the same answer whether the address has an account or not)',
  description: 'One client (IP) gets one mail per address per REGISTRATION_MAIL_INTERVAL_MINUTES (sooner: 429 PASSWORD_RESET_RECENTLY_MAILED with Retry-After) and PASSWORD_RESETS_PER_CLIENT_PER_HOUR an hour (429 PASSWORD_RESET_RATE_LIMITED). Another client\'s requests never stop a mail to the address. The link works for PASSWORD_RESET_TTL_MINUTES.',
  request: { body: jsonBody(passwordResetBody) },
  responses: { 202: { description: 'Mailed: a link if the address has an account, else a note that it has none', ...json(PasswordResetMailedSchema) }, ...errorResponses(400, 422, 429, 503) },
});
apiRegistry.registerPath({
  method: 'get', path: '/auth/password-reset/preview', operationId: 'previewPasswordReset', security: [], tags: ['auth'],
  summary: 'Which account a password-reset link is for (its page shows this and acts only when its holder submits); reading it spends nothing',
  request: { query: passwordResetPreviewQuery },
  responses: { 200: { description: 'The pending reset', ...json(PasswordResetPreviewSchema) }, ...errorResponses(400, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/password-reset/confirm', operationId: 'confirmPasswordReset', security: [], tags: ['auth'],
  summary: 'Follow a password-reset link with the new password: sets it, ends every session and personal API token of the person in every studio, and spends every pending reset link of the address',
  request: { body: jsonBody(confirmPasswordResetBody) },
  responses: { 204: { description: 'Password set; sign in with it' }, ...errorResponses(400, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/login', operationId: 'login', security: [], tags: ['auth'], summary: 'Log in',
  request: { body: jsonBody(loginBody), headers: webClientHeaders },
  responses: { 200: cookieJson('Logged in'), ...errorResponses(400, 401, 403, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/refresh', operationId: 'refreshSession', security: [], tags: ['auth'], summary: 'Rotate a refresh token (the body\'s, else the web app\'s cookie) into a new pair',
  request: { body: jsonBody(refreshBody), headers: webClientHeaders },
  responses: { 200: cookieJson('New pair'), ...errorResponses(400, 401, 403, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/logout', operationId: 'logout', security: [], tags: ['auth'], summary: 'Revoke the session (refresh-token family) of the body\'s token, else of the web app\'s cookie, and clear that cookie',
  request: { body: jsonBody(refreshBody), headers: webClientHeaders },
  responses: { 204: { description: 'Logged out' }, ...errorResponses(400, 403, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/logout-all', operationId: 'logoutEverywhere', tags: ['auth'], summary: 'Sign out everywhere: every access and refresh token of the caller\'s person stops working, and every personal API token of theirs is revoked (bots\' tokens stay)', security: bearer,
  responses: { 204: { description: 'Every session ended' }, ...errorResponses(401, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/password', operationId: 'changePassword', tags: ['auth'], summary: 'Change the caller\'s password; every other session ends and every personal API token of the person is revoked, this session gets a fresh pair', security: bearer,
  request: { body: jsonBody(changePasswordBody), headers: webClientHeaders },
  responses: { 200: cookieJson('Password changed; new tokens'), ...errorResponses(400, 401, 403, 429) },
});
apiRegistry.registerPath({
  method: 'get', path: '/auth/me', operationId: 'getCurrentUser', tags: ['auth'], summary: 'The caller', security: bearer,
  responses: { 200: { description: 'The caller', ...json(UserSchema) }, ...errorResponses(401) },
});
apiRegistry.registerPath({
  method: 'get', path: '/auth/studios', operationId: 'listMyStudios', tags: ['auth'], summary: 'The studios the caller belongs to (for switching)', security: bearer,
  responses: { 200: { description: 'Active memberships', ...json(z.object({ data: z.array(MembershipSchema) })) }, ...errorResponses(401) },
});
apiRegistry.registerPath({
  method: 'get', path: '/auth/studios/holding', operationId: 'studiosHolding', tags: ['auth'],
  summary: 'Which of the caller\'s other studios holds this asset, project or task (to offer a switch when a link leads there)', security: bearer,
  description: 'Answered only from the caller\'s own active memberships, each read within its own studio: an id that does not exist and one of a studio the caller is not in both answer an empty list.',
  request: { query: studiosHoldingQuery },
  responses: { 200: { description: 'The caller\'s studios (not the current one) that hold it: none or one', ...json(z.object({ data: z.array(MembershipSchema) })) }, ...errorResponses(400, 401) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/switch', operationId: 'switchStudio', tags: ['auth'], summary: 'A new session in another of the caller\'s studios', security: bearer,
  request: { body: jsonBody(switchStudioBody), headers: webClientHeaders },
  responses: { 200: cookieJson('Signed in to that studio'), ...errorResponses(400, 401, 404, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/invitations', operationId: 'inviteMember', tags: ['users'],
  summary: 'Invite an address to the studio with a role (PRODUCER): a single-use link is mailed; the answer does not tell whether the address has an account', security: bearer,
  request: { body: jsonBody(inviteBody) },
  responses: { 201: { description: 'Invitation mailed', ...json(InvitationSchema) }, ...errorResponses(400, 401, 403, 409, 422, 503) },
});
apiRegistry.registerPath({
  method: 'get', path: '/invitations', operationId: 'listInvitations', tags: ['users'], summary: 'The studio\'s invitations, newest first (PRODUCER)', security: bearer,
  request: { query: listInvitationsQuery },
  responses: { 200: { description: 'A page of invitations', ...json(z.object({ data: z.array(InvitationSchema), page: PageInfoSchema })) }, ...errorResponses(400, 401, 403) },
});
apiRegistry.registerPath({
  method: 'delete', path: '/invitations/{id}', operationId: 'revokeInvitation', tags: ['users'], summary: 'Withdraw a pending invitation (PRODUCER): its link stops working', security: bearer,
  request: { params: idParams },
  responses: { 200: { description: 'Withdrawn', ...json(InvitationSchema) }, ...errorResponses(400, 401, 403, 404, 409) },
});
apiRegistry.registerPath({
  method: 'get', path: '/invitations/preview', operationId: 'previewInvitation', security: [], tags: ['users'], summary: 'What an invitation link is for (its page shows this before accepting)',
  request: { query: invitationTokenQuery },
  responses: { 200: { description: 'The invitation', ...json(InvitationPreviewSchema) }, ...errorResponses(400, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/invitations/accept', operationId: 'acceptInvitation', security: [], tags: ['users'],
  summary: 'Accept an invitation: joins the existing account (its password) or creates one (name and password), then signs in to the studio',
  request: { body: jsonBody(acceptInvitationBody) },
  responses: { 201: { description: 'Joined; signed in', ...json(AuthResultSchema) }, ...errorResponses(400, 401, 409, 429) },
});
apiRegistry.registerPath({
  method: 'get', path: '/users', operationId: 'listUsers', tags: ['users'], summary: 'Members of the caller\'s studio', security: bearer,
  request: { query: listUsersQuery },
  responses: { 200: { description: 'A page of members', ...json(z.object({ data: z.array(UserSchema), page: PageInfoSchema })) }, ...errorResponses(400, 401) },
});
apiRegistry.registerPath({
  method: 'patch', path: '/users/{id}', operationId: 'updateUser', tags: ['users'], summary: 'Change role, name or active (PRODUCER)', security: bearer,
  request: { params: userIdParams, body: jsonBody(updateUserBody) },
  responses: { 200: { description: 'Updated', ...json(UserSchema) }, ...errorResponses(400, 401, 403, 404, 409) },
});
