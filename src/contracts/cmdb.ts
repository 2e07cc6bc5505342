import { z } from 'zod';
import { Id, ServiceRef, Slug, Tag, TeamRef } from './common';

export const SERVICE_PROVIDERS = ['on_premises', 'colocation', 'aws', 'azure', 'gcp', 'saas'] as const;
export const ENVIRONMENTS = ['production', 'staging', 'test', 'development', 'disaster_recovery'] as const;
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export const RELATION_TYPES = ['depends_on', 'runs_on', 'connects_to'] as const;

const Tags = z.array(Tag).max(50).default([]);

export const Service = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    tier: z.number().int(),
    ownerTeamId: z.string().nullable(),
    tags: z.array(z.string()),
    provider: z.enum(SERVICE_PROVIDERS),
    /** Its changes must fall inside one of the maintenance windows that apply to it (else `outside_maintenance_window`). */
    requiresMaintenanceWindow: z.boolean(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Service' });
export type Service = z.infer<typeof Service>;

/** The fields a person edits on a service, without defaults (so an update never resets what it omits). */
const ServiceFields = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
  tier: z.number().int().min(1).max(4),
  ownerTeamId: TeamRef.nullable(),
  tags: z.array(Tag).max(50),
  provider: z.enum(SERVICE_PROVIDERS),
  requiresMaintenanceWindow: z.boolean(),
});
export const CreateServiceInput = ServiceFields.extend({
  description: ServiceFields.shape.description.default(''),
  ownerTeamId: ServiceFields.shape.ownerTeamId.default(null),
  tags: Tags,
  provider: ServiceFields.shape.provider.default('on_premises'),
  requiresMaintenanceWindow: ServiceFields.shape.requiresMaintenanceWindow.default(false),
}).meta({ id: 'CreateService' });
// NOTE: zod 4 keeps a field's default inside .partial(), so updates derive from the default-free fields.
export const UpdateServiceInput = ServiceFields.partial().extend({ version: z.number().int().optional() }).meta({ id: 'UpdateService' });

export const Ci = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    environment: z.enum(ENVIRONMENTS),
    serviceId: z.string().nullable(),
    ownerTeamId: z.string().nullable(),
    criticality: z.enum(CRITICALITIES),
    tags: z.array(z.string()),
    attributes: z.record(z.string(), z.unknown()),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Ci' });
export type Ci = z.infer<typeof Ci>;

/** The fields a person edits on a CI, without defaults (so an update never resets what it omits). */
const CiFields = z.strictObject({
  name: z.string().trim().min(1).max(200),
  type: Slug,
  environment: z.enum(ENVIRONMENTS),
  serviceId: ServiceRef.nullable(),
  ownerTeamId: TeamRef.nullable(),
  criticality: z.enum(CRITICALITIES),
  tags: z.array(Tag).max(50),
  attributes: z.record(z.string(), z.unknown()),
});
export const CreateCiInput = CiFields.extend({
  serviceId: CiFields.shape.serviceId.default(null),
  ownerTeamId: CiFields.shape.ownerTeamId.default(null),
  criticality: CiFields.shape.criticality.default('medium'),
  tags: Tags,
  attributes: CiFields.shape.attributes.default({}),
}).meta({ id: 'CreateCi' });
export type CreateCiInput = z.input<typeof CreateCiInput>;
export const UpdateCiInput = CiFields.partial().extend({ version: z.number().int().optional() }).meta({ id: 'UpdateCi' });

/** The columns the CI list sorts by (`sort=criticality` ascending, `sort=-criticality` descending). */
export const CI_SORT_COLUMNS = ['name', 'type', 'environment', 'criticality', 'service'] as const;
export type CiSortColumn = (typeof CI_SORT_COLUMNS)[number];
export const CI_SORTS = CI_SORT_COLUMNS.flatMap((c) => [c, `-${c}`]) as [string, ...string[]];

export const CiListQuery = z.strictObject({
  q: z.string().max(200).optional().describe('Words in the CI name'),
  serviceId: z.string().max(200).optional().describe('CIs of this service (id or name)'),
  type: z.string().max(64).optional().describe('CIs of this type (database, server …)'),
  environment: z.enum(ENVIRONMENTS).optional().describe('CIs in this environment'),
  tag: z.string().max(40).optional().describe('CIs with this tag'),
  sort: z
    .enum(CI_SORTS, { error: () => `must be one of ${CI_SORTS.join(', ')}` })
    .optional()
    .describe(
      `The order: a column, ascending, or with a leading "-" descending (${CI_SORT_COLUMNS.join(', ')}); by name when absent. Criticality goes low to critical; service by its name, CIs without a service last either way; ties by id.`,
    ),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(2000).optional(),
});
export type CiListQuery = z.output<typeof CiListQuery>;

/** The query of the CSV export: the list's filters and sort, without paging (every matching CI is written). */
export const CiExportQuery = CiListQuery.omit({ limit: true, cursor: true });
export type CiExportQuery = z.output<typeof CiExportQuery>;

export const Relation = z
  .object({
    id: z.string(),
    fromCiId: z.string(),
    toCiId: z.string(),
    type: z.enum(RELATION_TYPES),
    createdAt: z.string(),
  })
  .meta({ id: 'Relation' });
export type Relation = z.infer<typeof Relation>;
export const CreateRelationInput = z
  .strictObject({ toCiId: Id.describe('The other CI (id or name)'), type: z.enum(RELATION_TYPES) })
  .meta({ id: 'CreateRelation' });

/** Relations of one CI in both directions, with the other CI's name for display. */
const RelationWithName = Relation.extend({ otherCiName: z.string() }).meta({ id: 'RelationWithName' });
export const CiRelations = z
  .object({ outgoing: z.array(RelationWithName), incoming: z.array(RelationWithName) })
  .meta({ id: 'CiRelations' });

export const ImportResult = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  relationsCreated: z.number().int(),
  errors: z.array(z.object({ row: z.number().int(), message: z.string() })),
});
export type ImportResult = z.infer<typeof ImportResult>;
