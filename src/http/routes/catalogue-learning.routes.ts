import { z } from 'zod';
import {
  CatalogueReview,
  CatalogueReviewList,
  CatalogueReviewQuery,
  DecideReviewInput,
  PromotionCandidateList,
  ReviewCadenceInput,
  ReviewSchedule,
  ProposeEntryInput,
  Reclassification,
  ReclassificationList,
  ReclassificationSummary,
  ReclassificationSummaryQuery,
  ReclassifyInput,
} from '../../contracts/catalogue-learning';
import { ErrorBody } from '../../contracts/common';
import { Template } from '../../contracts/templates';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';

const ReviewParams = z.object({ id: z.string().min(1).max(64).describe('Catalogue review id') });
const ChangeParams = z.object({ id: z.string().min(1).max(64).describe('Change id or number (CHG0000001)') });

/** The catalogue that learns: periodic reviews, promotion candidates and reclassifications (docs/catalogue.md). */
export function catalogueLearningRoutes(app: App, { services }: RouteDeps): void {
  const { catalogueReviews, cataloguePromotion, reclassifications } = services;
  app.get(
    '/api/v1/catalogue/reviews',
    {
      schema: {
        tags: ['catalogue'],
        operationId: 'listCatalogueReviews',
        summary: 'Periodic reviews of catalogue entries: open (by due date), overdue (open and past due) or decided (latest first)',
        querystring: CatalogueReviewQuery,
        response: { 200: CatalogueReviewList, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => catalogueReviews.list(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/catalogue/reviews/:id',
    {
      schema: {
        tags: ['catalogue'],
        operationId: 'getCatalogueReview',
        summary: 'One periodic review with the history snapshot of its entry',
        params: ReviewParams,
        response: { 200: CatalogueReview, 404: ErrorBody },
      },
    },
    async (request) => catalogueReviews.get(actorOf(request), request.params.id),
  );
  app.get(
    '/api/v1/catalogue/review-schedule',
    {
      schema: {
        tags: ['catalogue'],
        operationId: 'getCatalogueReviewSchedule',
        summary: 'When each active standard entry is reviewed next (its open review, else one cadence after its activation or last decision)',
        response: { 200: ReviewSchedule, 403: ErrorBody },
      },
    },
    async (request) => catalogueReviews.schedule(actorOf(request)),
  );
  app.put(
    '/api/v1/templates/:id/review-cadence',
    {
      schema: {
        tags: ['catalogue'],
        operationId: 'setTemplateReviewCadence',
        summary: "Set an entry's own periodic review cadence in days, or null for the policy's (change managers)",
        params: z.object({ id: z.string().min(1).max(200).describe('Template id or name') }),
        body: ReviewCadenceInput,
        response: {
          200: z.object({ templateId: z.string(), cadenceDays: z.number().int().nullable(), nextReviewAt: z.string().nullable() }),
          400: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request) => catalogueReviews.setCadence(actorOf(request), request.params.id, request.body),
  );
  app.post(
    '/api/v1/catalogue/reviews/:id/decide',
    {
      schema: {
        tags: ['catalogue'],
        operationId: 'decideCatalogueReview',
        summary:
          "Decide a review (the entry's owner team or a change manager): keep (the next review moves on), revise (a new version is asked for) or retire (the entry is retired), with a reason; 409 when decided already",
        params: ReviewParams,
        body: DecideReviewInput,
        response: { 200: CatalogueReview, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => catalogueReviews.decide(actorOf(request), request.params.id, request.body),
  );
  app.get(
    '/api/v1/catalogue/candidates',
    {
      schema: {
        tags: ['catalogue'],
        operationId: 'listCatalogueCandidates',
        summary:
          'Normal changes that repeat successfully (the same normal template, or the same CI types and near-identical plans), with no incident caused: candidates for the catalogue (change managers)',
        response: { 200: PromotionCandidateList, 403: ErrorBody },
      },
    },
    async (request) => cataloguePromotion.candidates(actorOf(request)),
  );
  app.post(
    '/api/v1/changes/:id/propose-entry',
    {
      schema: {
        tags: ['catalogue'],
        operationId: 'proposeCatalogueEntry',
        summary: "Propose a standard change entry from the change's fields, CIs and team, in state proposed until a change manager activates it (change managers); 400 lists every problem",
        params: ChangeParams,
        body: ProposeEntryInput,
        response: { 201: Template, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await cataloguePromotion.propose(actorOf(request), request.params.id, request.body)),
  );
  app.post(
    '/api/v1/changes/:id/reclassify',
    {
      config: {
        checkReferences: referenceCheck(ReclassifyInput, (request, fields) => reclassifications.referenceIssues(actorOf(request), (request.params as { id: string }).id, fields)),
      },
      schema: {
        tags: ['catalogue'],
        operationId: 'reclassifyChange',
        summary:
          "Record that the change should have been of another type, with a reason (change managers); the change's type stays as it was filed. 400 lists every problem",
        params: ChangeParams,
        body: ReclassifyInput,
        response: { 201: Reclassification, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await reclassifications.reclassify(actorOf(request), request.params.id, request.body)),
  );
  app.get(
    '/api/v1/changes/:id/reclassifications',
    {
      schema: {
        tags: ['catalogue'],
        operationId: 'listChangeReclassifications',
        summary: 'The reclassifications recorded for the change, oldest first',
        params: ChangeParams,
        response: { 200: ReclassificationList, 404: ErrorBody },
      },
    },
    async (request) => reclassifications.listFor(actorOf(request), request.params.id),
  );
  app.get(
    '/api/v1/reclassifications/summary',
    {
      schema: {
        tags: ['catalogue'],
        operationId: 'summarizeReclassifications',
        summary:
          'Reclassifications counted per team or service and by kind (an emergency that was not urgent, a normal that should have been standard, a standard that was not), since a date',
        querystring: ReclassificationSummaryQuery,
        response: { 200: ReclassificationSummary, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => reclassifications.summary(actorOf(request), request.query),
  );
}
