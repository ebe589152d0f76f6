// Request and response schemas of /auth and /users; also their OpenAPI entries.
import { z } from 'zod';
import { PageInfoSchema, apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { email, idParams, pageQuery, password, roleEnum } from './common.validators';

export const registerBody = z.strictObject({
  studioName: z.string().trim().min(2).max(120),
  name: z.string().trim().min(1).max(120),
  email,
  password,
});
export const loginBody = z.strictObject({ email, password: z.string().min(1).max(1024) });
export const refreshBody = z.strictObject({ refreshToken: z.string().min(20).max(200) });
export const changePasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(1024), newPassword: password });

export const createUserBody = z.strictObject({ email, name: z.string().trim().min(1).max(120), role: roleEnum, password });
export const updateUserBody = z
  .strictObject({ role: roleEnum.optional(), active: z.boolean().optional(), name: z.string().trim().min(1).max(120).optional() })
  .refine((b) => Object.keys(b).length > 0, 'provide at least one of role, active, name')
  .openapi({ minProperties: 1 });
export const listUsersQuery = pageQuery;
export const userIdParams = idParams;

const UserSchema = apiRegistry.register(
  'User',
  z.object({
    id: z.string(),
    studioId: z.string(),
    email: z.string(),
    name: z.string(),
    role: roleEnum,
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
const AuthResultSchema = apiRegistry.register('AuthResult', z.object({ accessToken: z.string(), refreshToken: z.string(), user: UserSchema }));

apiRegistry.registerPath({
  method: 'post', path: '/auth/register', operationId: 'register', security: [], tags: ['auth'], summary: 'Create a studio and its first PRODUCER',
  request: { body: jsonBody(registerBody) },
  responses: { 201: { description: 'Registered', ...json(AuthResultSchema) }, ...errorResponses(400, 409, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/login', operationId: 'login', security: [], tags: ['auth'], summary: 'Log in',
  request: { body: jsonBody(loginBody) },
  responses: { 200: { description: 'Logged in', ...json(AuthResultSchema) }, ...errorResponses(400, 401, 403, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/refresh', operationId: 'refreshSession', security: [], tags: ['auth'], summary: 'Rotate a refresh token into a new pair',
  request: { body: jsonBody(refreshBody) },
  responses: { 200: { description: 'New pair', ...json(AuthResultSchema) }, ...errorResponses(400, 401, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/logout', operationId: 'logout', security: [], tags: ['auth'], summary: 'Revoke the session (refresh-token family)',
  request: { body: jsonBody(refreshBody) },
  responses: { 204: { description: 'Logged out' }, ...errorResponses(400, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/logout-all', operationId: 'logoutEverywhere', tags: ['auth'], summary: 'Sign out everywhere: every access and refresh token of the caller stops working', security: bearer,
  responses: { 204: { description: 'Every session ended' }, ...errorResponses(401, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/auth/password', operationId: 'changePassword', tags: ['auth'], summary: 'Change the caller\'s password; every other session ends, this one gets a fresh pair', security: bearer,
  request: { body: jsonBody(changePasswordBody) },
  responses: { 200: { description: 'Password changed; new tokens', ...json(AuthResultSchema) }, ...errorResponses(400, 401, 403, 429) },
});
apiRegistry.registerPath({
  method: 'get', path: '/auth/me', operationId: 'getCurrentUser', tags: ['auth'], summary: 'The caller', security: bearer,
  responses: { 200: { description: 'The caller', ...json(UserSchema) }, ...errorResponses(401) },
});
apiRegistry.registerPath({
  method: 'post', path: '/users', operationId: 'createUser', tags: ['users'], summary: 'Add a member (PRODUCER)', security: bearer,
  request: { body: jsonBody(createUserBody) },
  responses: { 201: { description: 'Created', ...json(UserSchema) }, ...errorResponses(400, 401, 403, 409) },
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
