import { z } from 'zod';
import { CreateTeamInput, CreateUserInput, PeopleQuery, Person, Team, UpdateTeamInput, UpdateUserInput, User } from '../../contracts/auth';
import { listOf } from '../../contracts/common';
import { actorOf } from '../auth';
import { errorResponses } from '../openapi';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';

const IdParams = z.object({ id: z.string().min(1) });

export function accountsRoutes(app: App, { services }: RouteDeps): void {
  const userReferences = referenceCheck(CreateUserInput, (request, fields) =>
    services.accounts.userReferenceIssues(actorOf(request), fields),
  );
  const teamReferences = referenceCheck(CreateTeamInput, (request, fields) =>
    services.accounts.teamReferenceIssues(actorOf(request), fields),
  );
  app.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        operationId: 'listUsers',
        summary: 'List users with their emails, roles and teams (admins, change managers, auditors)',
        querystring: z.strictObject({
          q: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.string().max(400).optional(),
        }),
        response: { 200: listOf(User) },
      },
    },
    async (request) => services.accounts.listUsers(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/people',
    {
      schema: {
        tags: ['users'],
        operationId: 'searchPeople',
        summary: 'Find people by name or email, or name them by id (anyone signed in; ids and names only)',
        querystring: PeopleQuery,
        response: { 200: listOf(Person) },
      },
    },
    async (request) => services.accounts.searchPeople(actorOf(request), request.query),
  );
  app.post(
    '/api/v1/users',
    {
      config: { checkReferences: userReferences },
      schema: {
        tags: ['users'],
        operationId: 'createUser',
        summary: 'Create a user (admin)',
        body: CreateUserInput,
        response: { 201: User },
      },
    },
    async (request, reply) => reply.status(201).send(await services.accounts.createUser(actorOf(request), request.body)),
  );
  app.get(
    '/api/v1/users/:id',
    { schema: { tags: ['users'], operationId: 'getUser', summary: 'A user', params: IdParams, response: { 200: User } } },
    async (request) => services.accounts.getUser(actorOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/users/:id',
    {
      config: { checkReferences: userReferences },
      schema: {
        tags: ['users'],
        operationId: 'updateUser',
        summary: 'Update a user (admin; anyone for their own name and password)',
        params: IdParams,
        body: UpdateUserInput,
        response: { 200: User },
      },
    },
    async (request) => services.accounts.updateUser(actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/v1/teams',
    { schema: { tags: ['teams'], operationId: 'listTeams', summary: 'List teams', response: { 200: listOf(Team) } } },
    async (request) => ({
      items: await services.accounts.listTeams(actorOf(request)),
      nextCursor: null,
    }),
  );
  app.post(
    '/api/v1/teams',
    {
      config: { checkReferences: teamReferences },
      schema: {
        tags: ['teams'],
        operationId: 'createTeam',
        summary: 'Create a team (handle derived from the name when absent)',
        body: CreateTeamInput,
        response: { 201: Team, ...errorResponses(409) },
      },
    },
    async (request, reply) => reply.status(201).send(await services.accounts.createTeam(actorOf(request), request.body)),
  );
  app.get(
    '/api/v1/teams/:id',
    { schema: { tags: ['teams'], operationId: 'getTeam', summary: 'A team by id or handle', params: IdParams, response: { 200: Team } } },
    async (request) => services.accounts.getTeam(actorOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/teams/:id',
    {
      config: { checkReferences: teamReferences },
      schema: {
        tags: ['teams'],
        operationId: 'updateTeam',
        summary: 'Update a team',
        params: IdParams,
        body: UpdateTeamInput,
        response: { 200: Team },
      },
    },
    async (request) => services.accounts.updateTeam(actorOf(request), request.params.id, request.body),
  );
}
