import { z } from 'zod';
import { ROLES } from '../domain/auth/roles';
import { REQUIRABLE_FIELDS, RELATIONS } from '../domain/change/lifecycle';
import { ApprovalsSection } from './approvals.schema';
import { BreakGlassSection } from './break-glass.schema';
import { CatalogueSection } from './catalogue.schema';
import { GatesSection } from './gates.schema';
import { DeploymentGateSection } from './gate.schema';
import { DeploymentsSection } from './deployments.schema';
import { NotificationsSection } from './notifications.schema';
import { RoutingSection } from './routing.schema';
import { SlasSection } from './slas.schema';
import { RiskSection } from './risk.schema';
import { ReviewsSection } from './reviews.schema';
import { ScheduleSection } from './schedule.schema';
import { TeamsSection } from './teams.schema';

const StateId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'state ids are lowercase letters, digits and "_"');

const StateSchema = z.strictObject({
  id: StateId,
  label: z.string().min(1),
  requires: z.array(z.enum(REQUIRABLE_FIELDS)).default([]),
  final: z.boolean().default(false),
  /** Entering this state (again) generates the change's approvals from the `approvals` section. */
  requestApprovals: z.boolean().default(false),
  /** This state cannot be entered while any approval of the change is not approved. */
  requiresApprovals: z.boolean().default(false),
});

const TransitionSchema = z.strictObject({
  from: z.union([StateId, z.array(StateId).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])),
  to: StateId,
  label: z.string().min(1).optional(),
  by: z
    .strictObject({
      roles: z.array(z.enum(ROLES)).default([]),
      relations: z.array(z.enum(RELATIONS)).default([]),
    })
    .default({ roles: [], relations: [] }),
});

const ModelSchema = z.strictObject({
  label: z.string().min(1),
  initial: StateId,
  states: z.array(StateSchema).min(1),
  transitions: z.array(TransitionSchema).min(1),
});

/** The whole bundle once its files are merged: one top-level key per section. */
export const BundleSchema = z.strictObject({
  apiVersion: z.literal('cabinet/v1'),
  name: z.string().min(1),
  description: z.string().default(''),
  models: z
    .record(z.string().regex(/^[a-z][a-z0-9_]*$/), ModelSchema)
    .refine((m) => ['standard', 'normal', 'emergency'].every((t) => t in m), {
      message: 'models must define standard, normal and emergency',
    }),
  risk: RiskSection,
  approvals: ApprovalsSection,
  routing: RoutingSection,
  gates: GatesSection,
  slas: SlasSection,
  breakGlass: BreakGlassSection,
  schedule: ScheduleSection,
  teams: TeamsSection,
  notifications: NotificationsSection,
  catalogue: CatalogueSection,
  reviews: ReviewsSection,
  deploymentGate: DeploymentGateSection,
  deployments: DeploymentsSection,
});
export type BundleInput = z.input<typeof BundleSchema>;
