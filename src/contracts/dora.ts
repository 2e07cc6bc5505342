import { z } from 'zod';
import { Instant, ServiceRef, TeamRef } from './common';

/** DORA's four keys (issue 14 point 9, docs/dora.md). */
export const DORA_RATINGS = ['elite', 'high', 'medium', 'low', 'insufficient_data'] as const;
export const DORA_FIGURES = ['deploymentFrequency', 'leadTimeForChanges', 'changeFailureRate', 'failedDeploymentRecoveryTime'] as const;
export type DoraFigureName = (typeof DORA_FIGURES)[number];

export const DoraQuery = z.strictObject({
  serviceId: ServiceRef.optional().describe('One service (id or name); none: every service'),
  teamId: TeamRef.optional().describe('The services this team owns (id or handle)'),
  environment: z.string().max(100).optional().describe('One environment; none: every production environment (deployments.yaml)'),
  from: Instant.optional().describe('Start of the period (deployments finished at or after); default 90 days before `to`'),
  to: Instant.optional().describe('End of the period (finished before); default now'),
  grain: z.enum(['week', 'month']).optional().describe('The series: per week or per month; default week for periods up to 26 weeks, else month'),
});
export type DoraQuery = z.output<typeof DoraQuery>;

export const DoraRecordsQuery = DoraQuery.extend({
  figure: z.enum(DORA_FIGURES),
  /** For changeFailureRate: `inferred` lists the failures counted only through inferred incident links. */
  part: z.enum(['all', 'explicit', 'inferred']).default('all'),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type DoraRecordsQuery = z.output<typeof DoraRecordsQuery>;

/** The records behind a figure: how many, the first ids, and where to list them all. */
export const DoraRecords = z
  .object({
    count: z.number().int(),
    /** Deployment ids, the first `recordsShown` (deployments.yaml). */
    ids: z.array(z.string()),
    /** GET this (with `offset`) for every id. */
    list: z.string(),
  })
  .meta({ id: 'DoraRecords' });

const Rating = z.enum(DORA_RATINGS);

export const DoraMetrics = z
  .object({
    scope: z.object({
      service: z.object({ id: z.string(), name: z.string() }).nullable(),
      team: z.object({ id: z.string(), name: z.string() }).nullable(),
      /** null: every production environment. */
      environment: z.string().nullable(),
      from: z.string(),
      to: z.string(),
      grain: z.enum(['week', 'month']),
    }),
    deploymentFrequency: z.object({
      /** Median deployment days per week (days with a successful deployment). */
      value: z.number().nullable(),
      unit: z.literal('deployment_days_per_week'),
      /** Deployment days in the period. */
      numerator: z.number().int(),
      /** Weeks the period touches. */
      denominator: z.number().int(),
      deployments: z.number().int(),
      medianDeploymentDaysPerMonth: z.number().nullable(),
      rating: Rating,
      records: DoraRecords,
    }),
    leadTimeForChanges: z.object({
      /** Median seconds from a pull request's first commit to its production deployment finishing. */
      value: z.number().nullable(),
      p75: z.number().nullable(),
      unit: z.literal('seconds'),
      /** Pull requests measured. */
      denominator: z.number().int(),
      rating: Rating,
      records: DoraRecords,
    }),
    changeFailureRate: z.object({
      /** Failed deployments over finished deployments, 0…1; never above 1. */
      value: z.number().nullable(),
      unit: z.literal('ratio'),
      numerator: z.number().int(),
      denominator: z.number().int(),
      /** Of the numerator: failed through their result, their change or an explicitly linked incident. */
      explicit: z.number().int(),
      /** Of the numerator: failed only through incidents attributed by inference (docs/dora.md). */
      inferred: z.number().int(),
      incidents: z.object({ explicit: z.number().int(), inferred: z.number().int() }),
      rating: Rating,
      records: DoraRecords,
      inferredRecords: DoraRecords,
    }),
    failedDeploymentRecoveryTime: z.object({
      /** Median seconds from a failed deployment to its restoration. */
      value: z.number().nullable(),
      p75: z.number().nullable(),
      unit: z.literal('seconds'),
      /** Failed deployments restored. */
      numerator: z.number().int(),
      /** Failed deployments. */
      denominator: z.number().int(),
      rating: Rating,
      records: DoraRecords,
    }),
    series: z.array(
      z.object({
        start: z.string(),
        deployments: z.number().int(),
        deploymentDays: z.number().int(),
        finished: z.number().int(),
        failed: z.number().int(),
        changeFailureRate: z.number().nullable(),
        leadTimeMedianSeconds: z.number().nullable(),
        recoveryMedianSeconds: z.number().nullable(),
      }),
    ),
    minimums: z.object({ deployments: z.number().int(), pullRequests: z.number().int(), failures: z.number().int() }),
    inference: z.boolean(),
  })
  .meta({ id: 'DoraMetrics' });
export type DoraMetrics = z.infer<typeof DoraMetrics>;

export const DoraRecordPage = z
  .object({ figure: z.enum(DORA_FIGURES), count: z.number().int(), ids: z.array(z.string()), nextOffset: z.number().int().nullable() })
  .meta({ id: 'DoraRecordPage' });
