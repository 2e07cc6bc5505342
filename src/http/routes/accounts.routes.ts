import { z } from 'zod';
import { CreateTeamInput, CreateUserInput, PeopleQuery, Person, Team, UpdateTeamInput, UpdateUserInput, User } from '../../contracts/auth';
import { listOf } from '../../contracts/common';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

const IdParams = z.object({ id: z.string().min(1) });

export function accountsRoutes(app: App, { services }: RouteDeps): void {
  app.get(
    '/api/v1/users',
    { schema: { tags: ['users'], summary: 'List users with their emails, roles and teams (admins, change managers, auditors)', querystring: z.object({ q: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(500).default(100), cursor: z.string().max(400).optional() }), response: { 200: listOf(User) } } },
    async (request) => services.accounts.listUsers(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/people',
    { schema: { tags: ['users'], summary: 'Find people by name or email, or name them by id (anyone signed in; ids and names only)', querystring: PeopleQuery, response: { 200: listOf(Person) } } },
    async (request) => services.accounts.searchPeople(actorOf(request), request.query),
  );
  app.post('/api/v1/users', { schema: { tags: ['users'], summary: 'Create a user (admin)', body: CreateUserInput, response: { 201: User } } }, async (request, reply) =>
    reply.status(201).send(await services.accounts.createUser(actorOf(request), request.body)),
  );
  app.get('/api/v1/users/:id', { schema: { tags: ['users'], summary: 'A user', params: IdParams, response: { 200: User } } }, async (request) =>
    services.accounts.getUser(actorOf(request), request.params.id),
  );
  app.patch('/api/v1/users/:id', { schema: { tags: ['users'], summary: 'Update a user (admin; anyone for their own name and password)', params: IdParams, body: UpdateUserInput, response: { 200: User } } }, async (request) =>
    services.accounts.updateUser(actorOf(request), request.params.id, request.body),
  );

  app.get('/api/v1/teams', { schema: { tags: ['teams'], summary: 'List teams', response: { 200: listOf(Team) } } }, async (request) => ({
    items: await services.accounts.listTeams(actorOf(request)),
    nextCursor: null,
  }));
  app.post('/api/v1/teams', { schema: { tags: ['teams'], summary: 'Create a team (handle derived from the name when absent)', body: CreateTeamInput, response: { 201: Team } } }, async (request, reply) =>
    reply.status(201).send(await services.accounts.createTeam(actorOf(request), request.body)),
  );
  app.get('/api/v1/teams/:id', { schema: { tags: ['teams'], summary: 'A team by id or handle', params: IdParams, response: { 200: Team } } }, async (request) =>
    services.accounts.getTeam(actorOf(request), request.params.id),
  );
  app.patch('/api/v1/teams/:id', { schema: { tags: ['teams'], summary: 'Update a team', params: IdParams, body: UpdateTeamInput, response: { 200: Team } } }, async (request) =>
    services.accounts.updateTeam(actorOf(request), request.params.id, request.body),
  );
}
