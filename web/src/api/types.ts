/**
 * The shapes the API answers, inferred from the shared zod contracts. Only types are imported here so
 * that zod and the schemas stay out of the browser bundle.
 */
import type { z } from 'zod';
import type {
  ApiToken as ApiTokenSchema,
  CreatedToken as CreatedTokenSchema,
  Me as MeSchema,
  Person as PersonSchema,
  RoleName as RoleNameSchema,
  Team as TeamSchema,
  User as UserSchema,
} from '../../../src/contracts/auth';
import type {
  AuditEvent as AuditEventSchema,
  AvailableTransition as AvailableTransitionSchema,
  Change as ChangeSchema,
  ChangeDetail as ChangeDetailSchema,
  CLOSE_CODES,
  Comment as CommentSchema,
  CreateChangeInput as CreateChangeInputSchema,
  LEVELS,
  RiskDetail as RiskDetailSchema,
  RiskOverrideInput as RiskOverrideInputSchema,
  UpdateChangeInput as UpdateChangeInputSchema,
} from '../../../src/contracts/change';
import type {
  Ci as CiSchema,
  CiRelations as CiRelationsSchema,
  ENVIRONMENTS,
  ImportResult as ImportResultSchema,
  RELATION_TYPES,
  Service as ServiceSchema,
  SERVICE_PROVIDERS,
} from '../../../src/contracts/cmdb';

export type RoleName = z.infer<typeof RoleNameSchema>;
export type User = z.infer<typeof UserSchema>;
export type Person = z.infer<typeof PersonSchema>;
export type Me = z.infer<typeof MeSchema>;
export type Team = z.infer<typeof TeamSchema>;
export type ApiToken = z.infer<typeof ApiTokenSchema>;
export type CreatedToken = z.infer<typeof CreatedTokenSchema>;

export type Change = z.infer<typeof ChangeSchema>;
export type ChangeType = Change['type'];
export type ChangeDetail = z.infer<typeof ChangeDetailSchema>;
export type AvailableTransition = z.infer<typeof AvailableTransitionSchema>;
export type CreateChangeInput = z.input<typeof CreateChangeInputSchema>;
export type UpdateChangeInput = z.input<typeof UpdateChangeInputSchema>;
export type Comment = z.infer<typeof CommentSchema>;
export type CommentKind = Comment['kind'];
export type AuditEvent = z.infer<typeof AuditEventSchema>;
export type Level = (typeof LEVELS)[number];
export type CloseCode = (typeof CLOSE_CODES)[number];
/** The risk in force on a change, as list items and GET /changes/{id} carry it (null until assessed). */
export type ChangeRisk = NonNullable<Change['risk']>;
export type RiskLevel = ChangeRisk['level'];
/** GET /api/v1/changes/{id}/risk: the score, every factor with its points and reason, and any override. */
export type RiskDetail = z.infer<typeof RiskDetailSchema>;
export type RiskFactor = RiskDetail['factors'][number];
export type RiskOverride = NonNullable<RiskDetail['override']>;
export type RiskOverrideInput = z.input<typeof RiskOverrideInputSchema>;

export type Service = z.infer<typeof ServiceSchema>;
export type ServiceProvider = (typeof SERVICE_PROVIDERS)[number];
export type Ci = z.infer<typeof CiSchema>;
export type Environment = (typeof ENVIRONMENTS)[number];
export type RelationType = (typeof RELATION_TYPES)[number];
export type CiRelations = z.infer<typeof CiRelationsSchema>;
export type CiRelation = CiRelations['outgoing'][number];
export type ImportResult = z.infer<typeof ImportResultSchema>;

/** Every list endpoint answers this page shape. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** GET /api/v1/policy: the applied policy version and its change models. */
export interface PolicyState {
  id: string;
  label: string;
  requires?: string[];
  final?: boolean;
}
export interface PolicyTransition {
  from: string | string[];
  to: string;
  label: string;
  roles?: string[];
  relations?: string[];
}
export interface PolicyModel {
  type: string;
  label: string;
  initial: string;
  states: PolicyState[];
  transitions: PolicyTransition[];
}
export interface Policy {
  number: number;
  name: string;
  hash: string;
  appliedAt: string;
  models: Record<string, PolicyModel>;
}
