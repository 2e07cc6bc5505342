import { z } from 'zod';
import { CHANGE_TYPES, LEVELS } from './change';
import { CiRef, TeamRef } from './common';

/** What a template fills in on a new change (a change made from it may change any of them). */
export const TemplateFields = z
  .strictObject({
    title: z.string().trim().max(200),
    description: z.string().max(20000),
    justification: z.string().max(20000),
    implementationPlan: z.string().max(50000),
    testPlan: z.string().max(50000),
    backoutPlan: z.string().max(50000),
    backoutTested: z.boolean(),
    impact: z.enum(LEVELS),
    urgency: z.enum(LEVELS),
  })
  .meta({ id: 'TemplateFields' });
export type TemplateFields = z.infer<typeof TemplateFields>;

export const TEMPLATE_FIELD_DEFAULTS: TemplateFields = {
  title: '',
  description: '',
  justification: '',
  implementationPlan: '',
  testPlan: '',
  backoutPlan: '',
  backoutTested: false,
  impact: 'medium',
  urgency: 'medium',
};

/** How changes made from a template fared: finished in the last 90 days, failed (unsuccessful or rolled back). */
export const TemplateHistory = z
  .object({
    changes90d: z.number().int(),
    failed90d: z.number().int(),
    /** failed90d / changes90d, or null before any change made from it finished. */
    failureRate: z.number().nullable(),
    /** How many changes were ever made from it. */
    used: z.number().int(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'TemplateHistory' });
export type TemplateHistory = z.infer<typeof TemplateHistory>;

export const Template = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    type: z.enum(CHANGE_TYPES),
    fields: TemplateFields,
    ciIds: z.array(z.string()),
    cis: z.array(z.object({ id: z.string(), name: z.string() })),
    assignmentTeamId: z.string().nullable(),
    active: z.boolean(),
    history: TemplateHistory,
    version: z.number().int(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Template' });
export type Template = z.infer<typeof Template>;

export const CreateTemplateInput = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    description: z.string().max(5000).default(''),
    type: z.enum(CHANGE_TYPES, { error: `type is one of ${CHANGE_TYPES.join(', ')}` }),
    fields: TemplateFields.partial().default({}),
    ciIds: z.array(CiRef).max(500).default([]),
    assignmentTeamId: TeamRef.nullable().default(null),
    active: z.boolean().default(true),
  })
  .meta({ id: 'CreateTemplate' });
export type CreateTemplateInput = z.input<typeof CreateTemplateInput>;

export const UpdateTemplateInput = z
  .strictObject({
    name: CreateTemplateInput.shape.name.optional(),
    description: z.string().max(5000).optional(),
    type: z.enum(CHANGE_TYPES, { error: `type is one of ${CHANGE_TYPES.join(', ')}` }).optional(),
    /** Replaces the fields it names; the others stay. */
    fields: TemplateFields.partial().optional(),
    ciIds: z.array(CiRef).max(500).optional(),
    assignmentTeamId: TeamRef.nullable().optional(),
    active: z.boolean().optional(),
    version: z.number().int().min(1).optional(),
  })
  .meta({ id: 'UpdateTemplate' });
export type UpdateTemplateInput = z.input<typeof UpdateTemplateInput>;

/** The columns the template list sorts by (`sort=type` ascending, `sort=-type` descending). */
export const TEMPLATE_SORT_COLUMNS = ['name', 'type', 'active', 'createdAt', 'updatedAt', 'used', 'changes90d'] as const;
export type TemplateSortColumn = (typeof TEMPLATE_SORT_COLUMNS)[number];
export const TEMPLATE_SORTS = TEMPLATE_SORT_COLUMNS.flatMap((c) => [c, `-${c}`]) as [string, ...string[]];

export const TemplateListQuery = z.strictObject({
  active: z.enum(['true', 'false', 'all']).default('true').describe('Active templates (default), retired ones, or all'),
  type: z.enum(CHANGE_TYPES).optional().describe('Templates of this change type'),
  q: z.string().max(200).optional().describe('Words in the name or description'),
  sort: z
    .enum(TEMPLATE_SORTS, { error: () => `must be one of ${TEMPLATE_SORTS.join(', ')}` })
    .optional()
    .describe(
      `The order: a column, ascending, or with a leading "-" descending (${TEMPLATE_SORT_COLUMNS.join(', ')}); by name when absent. \`active\` puts retired templates first; \`used\` orders by the changes ever made from a template, \`changes90d\` by those that finished in the last 90 days; ties by id.`,
    ),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(2000).optional(),
});
export type TemplateListQuery = z.output<typeof TemplateListQuery>;

/** The query of the CSV export: the list's filters and sort, without paging (every matching template is written). */
export const TemplateExportQuery = TemplateListQuery.omit({ limit: true, cursor: true });
export type TemplateExportQuery = z.output<typeof TemplateExportQuery>;
