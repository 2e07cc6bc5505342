import { z } from 'zod';
import { ROLES } from '../domain/auth/roles';
import { Id, Instant, Slug, TeamRef, UserRef } from './common';

export const RoleName = z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` });
export const RoleGrantInput = z.union([
  RoleName,
  z.strictObject({
    role: RoleName,
    scopeType: z.enum(['team', 'service']).nullable().default(null),
    scopeId: Id.nullable().default(null),
  }),
]);
export const RoleGrantOut = z.object({
  role: RoleName,
  scopeType: z.enum(['team', 'service']).nullable(),
  scopeId: z.string().nullable(),
});

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be an email address' }));
export const Password = z.string().min(10, 'must be at least 10 characters').max(256);

export const LoginInput = z.strictObject({ email: Email, password: z.string().min(1).max(256) }).meta({ id: 'Login' });

export const User = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    roles: z.array(RoleGrantOut),
    teamIds: z.array(z.string()),
    disabled: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

/**
 * What everyone signed in may know about a person, to pick owners and implementers and to name them.
 * NOTE (security): no email, roles or teams: listing those needs `user.read`.
 */
export const Person = z.object({ id: z.string(), name: z.string() }).meta({ id: 'Person' });
export type Person = z.infer<typeof Person>;

/** `GET /api/v1/people`: a search by name or email, or a look-up of named ids. */
export const PeopleQuery = z.strictObject({
  q: z.string().trim().max(200).optional(),
  ids: z
    .string()
    .max(100 * 65)
    .transform((v) => [
      ...new Set(
        v
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.string().max(64)).max(100, 'at most 100 ids'))
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(400).optional(),
});

export const CreateUserInput = z
  .strictObject({
    email: Email,
    name: z.string().trim().min(1).max(200),
    password: Password,
    roles: z.array(RoleGrantInput).default([]),
    teamIds: z.array(TeamRef).default([]),
  })
  .meta({ id: 'CreateUser' });
export type CreateUserInput = z.input<typeof CreateUserInput>;

export const UpdateUserInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    password: Password.optional(),
    roles: z.array(RoleGrantInput).optional(),
    teamIds: z.array(TeamRef).optional(),
    disabled: z.boolean().optional(),
  })
  .meta({ id: 'UpdateUser' });

export const Me = User.extend({
  permissions: z.array(z.string()),
  csrfToken: z.string().nullable(),
  /** The person's time zone (GET/PATCH /api/v1/me/preferences); null: the browser's. */
  timeZone: z.string().nullable(),
}).meta({ id: 'Me' });

export const Team = z
  .object({
    id: z.string(),
    name: z.string(),
    handle: z.string(),
    description: z.string(),
    memberIds: z.array(z.string()),
    createdAt: z.string(),
  })
  .meta({ id: 'Team' });
export type Team = z.infer<typeof Team>;

export const CreateTeamInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    handle: Slug.optional(),
    description: z.string().max(2000).default(''),
    memberIds: z.array(UserRef).default([]),
  })
  .meta({ id: 'CreateTeam' });
export const UpdateTeamInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2000).optional(),
    memberIds: z.array(UserRef).optional(),
  })
  .meta({ id: 'UpdateTeam' });

export const ApiToken = z
  .object({
    id: z.string(),
    name: z.string(),
    userId: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });
export type ApiToken = z.infer<typeof ApiToken>;
export const CreateTokenInput = z
  .strictObject({
    name: z.string().trim().min(1).max(100).default('API token'),
    expiresAt: Instant.optional(),
    userId: Id.optional(),
  })
  .meta({ id: 'CreateToken' });
/** The only response that ever holds the token's secret. */
export const CreatedToken = ApiToken.extend({ token: z.string() }).meta({ id: 'CreatedToken' });
