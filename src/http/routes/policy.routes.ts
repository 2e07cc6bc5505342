import { listOf } from '../../contracts/common';
import {
  ActivePolicy,
  AppliedPolicy,
  ApplyPolicyInput,
  PolicyPreview,
  PolicyPreviewInput,
  PolicyVersion,
  PolicyVersionDetail,
  PolicyVersionParams,
  PolicyVersionTests,
} from '../../contracts/policy';
import { actorOf } from '../auth';
import { errorResponses } from '../openapi';
import type { App, RouteDeps } from '../types';

export function policyRoutes(app: App, { services }: RouteDeps): void {
  app.get(
    '/api/v1/policy',
    {
      schema: {
        tags: ['policy'],
        operationId: 'getPolicy',
        summary: 'The active policy version, its change models and the teams it declares',
        response: { 200: ActivePolicy },
      },
    },
    async (request) => services.policy.describe(actorOf(request)),
  );
  app.get(
    '/api/v1/policy/versions',
    {
      schema: {
        tags: ['policy'],
        operationId: 'listPolicyVersions',
        summary: 'Every applied policy version, newest first',
        response: { 200: listOf(PolicyVersion) },
      },
    },
    async (request) => ({
      items: await services.policy.versions(actorOf(request)),
      nextCursor: null,
    }),
  );
  app.post(
    '/api/v1/policy/versions',
    {
      schema: {
        tags: ['policy'],
        operationId: 'applyPolicy',
        summary:
          'Apply a policy bundle (admin): 201 with the new version, 200 with `applied: false` when the active version has the same content, 422 invalid_policy listing every problem with its file and line',
        body: ApplyPolicyInput,
        response: { 200: AppliedPolicy, 201: AppliedPolicy, ...errorResponses(422) },
      },
    },
    async (request, reply) => {
      const result = await services.policy.applyFiles(actorOf(request), request.body.files);
      return reply.status(result.applied ? 201 : 200).send(result);
    },
  );
  app.get(
    '/api/v1/policy/versions/:number',
    {
      schema: {
        tags: ['policy'],
        operationId: 'getPolicyVersion',
        summary: 'One policy version with the YAML files it was applied from',
        params: PolicyVersionParams,
        response: { 200: PolicyVersionDetail },
      },
    },
    async (request) => services.policy.version(actorOf(request), request.params.number),
  );
  app.get(
    '/api/v1/policy/versions/:number/tests',
    {
      schema: {
        tags: ['policy'],
        operationId: 'testPolicyVersion',
        summary:
          "Run a policy version's test cases (tests/*.yaml): each case with its mismatches; `issues` lists problems of test files that kept them from running",
        params: PolicyVersionParams,
        response: { 200: PolicyVersionTests },
      },
    },
    async (request) => services.policyPreview.versionTests(actorOf(request), request.params.number),
  );
  app.post(
    '/api/v1/policy/preview',
    {
      schema: {
        tags: ['policy'],
        operationId: 'previewPolicy',
        summary:
          'Check a policy bundle as applying would, run its test cases and show what it would change for every open change; applies nothing (422 invalid_policy listing every problem)',
        body: PolicyPreviewInput,
        response: { 200: PolicyPreview, ...errorResponses(422) },
      },
    },
    async (request) => services.policyPreview.preview(actorOf(request), request.body.files),
  );
}
