/** Row types as stored. Instants are ISO strings; JSON columns are text on SQLite and jsonb on PostgreSQL. */
export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  disabled: boolean | number;
  /** IANA zone the person reads times in; null: the browser's (0015). */
  time_zone: string | null;
  created_at: string;
  updated_at: string;
  /** Quiet hours, "HH:MM" in the person's zone; both null: none (0024). */
  quiet_start: string | null;
  quiet_end: string | null;
  /** off, daily or weekly (0024). NOTE: NOT NULL with a default (off); typed nullable so that inserts may leave it out. */
  digest: string | null;
  /**
   * 1: approval requests, reminders and escalations are emailed too (migration 0025). NOTE: NOT NULL with a
   * default (1); typed nullable so that inserts may leave it out.
   */
  approval_emails: number | null;
}
export interface UserRolesTable {
  id: string;
  user_id: string;
  role: string;
  scope_type: string | null;
  scope_id: string | null;
}
export interface TeamsTable {
  id: string;
  name: string;
  handle: string;
  description: string;
  created_at: string;
  updated_at: string;
}
export interface TeamMembersTable {
  team_id: string;
  user_id: string;
}
export interface SessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}
export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}
export interface ServicesTable {
  id: string;
  name: string;
  description: string;
  tier: number;
  owner_team_id: string | null;
  tags: unknown;
  provider: string;
  requires_maintenance_window: boolean | number;
  version: number;
  created_at: string;
  updated_at: string;
}
export interface CisTable {
  id: string;
  name: string;
  type: string;
  environment: string;
  service_id: string | null;
  owner_team_id: string | null;
  criticality: string;
  tags: unknown;
  attributes: unknown;
  version: number;
  created_at: string;
  updated_at: string;
}
export interface CiRelationsTable {
  id: string;
  from_ci_id: string;
  to_ci_id: string;
  type: string;
  created_at: string;
}
export interface ChangesTable {
  id: string;
  number: string;
  seq: number;
  type: string;
  state: string;
  title: string;
  description: string;
  justification: string;
  requester_id: string;
  owner_id: string | null;
  assignment_team_id: string | null;
  implementer_id: string | null;
  planned_start: string | null;
  planned_end: string | null;
  actual_start: string | null;
  actual_end: string | null;
  implementation_plan: string;
  test_plan: string;
  backout_plan: string;
  impact: string;
  urgency: string;
  priority: number;
  close_code: string | null;
  close_notes: string;
  links: unknown;
  policy_version: number;
  version: number;
  created_at: string;
  updated_at: string;
  backout_tested: boolean | number;
  risk_score: number | null;
  risk_level: string | null;
  risk_factors: unknown;
  risk_policy_version: number | null;
  risk_override_level: string | null;
  risk_override_reason: string | null;
  risk_override_by: string | null;
  risk_override_at: string | null;
  change_manager_id: string | null;
  routing: unknown;
  review_required: boolean | number;
  hold_window_id: string | null;
  hold_until: string | null;
  template_id: string | null;
  /** The template's content version it was made from (0027). Optional so that inserts may leave it out. */
  template_version?: number | null;
}
export interface ChangeCisTable {
  change_id: string;
  ci_id: string;
}
export interface ChangeCommentsTable {
  id: string;
  change_id: string;
  author_id: string;
  kind: string;
  body: string;
  created_at: string;
}
export interface CountersTable {
  name: string;
  value: number;
}
export interface AuditEventsTable {
  seq: number;
  at: string;
  actor_id: string;
  actor_name: string;
  action: string;
  entity_type: string;
  entity_id: string;
  /** Canonical JSON text, kept verbatim so the hash can be recomputed exactly. */
  data: string;
  prev_hash: string;
  hash: string;
}
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}
export interface PolicyVersionsTable {
  number: number;
  name: string;
  hash: string;
  files: unknown;
  applied_at: string;
  applied_by: string;
  active: boolean | number;
}

export interface ApprovalsTable {
  id: string;
  change_id: string;
  stage: string;
  stage_order: number;
  stage_label: string;
  rule: string;
  approver_kind: string;
  approver_ref: string;
  approver_label: string;
  quorum_kind: string;
  quorum_value: number | null;
  state: string;
  due_at: string | null;
  escalate_kind: string | null;
  escalate_ref: string | null;
  reason: string;
  policy_version: number;
  created_at: string;
  decided_at: string | null;
  escalated_at: string | null;
  content_hash: string | null;
  closed_reason: string | null;
}
export interface ApprovalVotesTable {
  id: string;
  approval_id: string;
  user_id: string;
  decision: string;
  comment: string;
  created_at: string;
  on_behalf_of: string | null;
  content_hash: string | null;
  superseded_at: string | null;
  voided_at: string | null;
  ended_reason: string | null;
}
export interface DB {
  users: UsersTable;
  user_roles: UserRolesTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  services: ServicesTable;
  cis: CisTable;
  ci_relations: CiRelationsTable;
  changes: ChangesTable;
  change_cis: ChangeCisTable;
  change_comments: ChangeCommentsTable;
  counters: CountersTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  policy_versions: PolicyVersionsTable;
  approvals: ApprovalsTable;
  approval_votes: ApprovalVotesTable;
  change_evidence: ChangeEvidenceTable;
  delegations: DelegationsTable;
  break_glass: BreakGlassTable;
  sla_clocks: SlaClocksTable;
  outbox: OutboxTable;
  outbox_deliveries: OutboxDeliveriesTable;
  notifications: NotificationsTable;
  windows: WindowsTable;
  change_conflicts: ChangeConflictsTable;
  conflict_acknowledgements: ConflictAcknowledgementsTable;
  change_impact_exclusions: ChangeImpactExclusionsTable;
  freeze_exceptions: FreezeExceptionsTable;
  calendar_feeds: CalendarFeedsTable;
  change_templates: ChangeTemplatesTable;
  template_versions: TemplateVersionsTable;
  template_suspensions: TemplateSuspensionsTable;
  change_checks: ChangeChecksTable;
  incidents: IncidentsTable;
  incident_cis: IncidentCisTable;
  problems: ProblemsTable;
  problem_cis: ProblemCisTable;
  problem_incidents: ProblemIncidentsTable;
  problem_changes: ProblemChangesTable;
  known_errors: KnownErrorsTable;
  known_error_cis: KnownErrorCisTable;
  saved_views: SavedViewsTable;
  subscriptions: SubscriptionsTable;
  concerns: ConcernsTable;
  server_secrets: ServerSecretsTable;
  notice_marks: NoticeMarksTable;
  webhooks: WebhooksTable;
  webhook_allow_list: WebhookAllowListTable;
  digests: DigestsTable;
  change_reviews: ChangeReviewsTable;
  review_actions: ReviewActionsTable;
  catalogue_reviews: CatalogueReviewsTable;
  reclassifications: ReclassificationsTable;
  gate_checks: GateChecksTable;
  integration_settings: IntegrationSettingsTable;
  integration_deliveries: IntegrationDeliveriesTable;
  integration_gate_requests: IntegrationGateRequestsTable;
  argocd_holds: ArgocdHoldsTable;
  deployments: DeploymentsTable;
  deployment_cis: DeploymentCisTable;
  deployment_pull_requests: DeploymentPullRequestsTable;
  deployment_incidents: DeploymentIncidentsTable;
  deployment_days: DeploymentDaysTable;
  deployment_next_successes: DeploymentNextSuccessesTable;
  unauthorized_changes: UnauthorizedChangesTable;
  unauthorized_change_deployments: UnauthorizedChangeDeploymentsTable;
  boards: BoardsTable;
  board_members: BoardMembersTable;
  board_meetings: BoardMeetingsTable;
  meeting_agenda_edits: MeetingAgendaEditsTable;
  meeting_attendance: MeetingAttendanceTable;
  meeting_item_times: MeetingItemTimesTable;
  board_decisions: BoardDecisionsTable;
  change_conditions: ChangeConditionsTable;
  meeting_minutes: MeetingMinutesTable;
}
/** A deployment on record (migration 0032). `production` is 0 or 1; `finished_day` days since 1970-01-01 UTC. */
export interface DeploymentsTable {
  id: string;
  source: string;
  external_id: string | null;
  shape: string;
  service_id: string | null;
  environment: string;
  production: number;
  repository: string;
  ref: string | null;
  sha: string;
  url: string | null;
  pipeline_id: string | null;
  pipeline_run_id: string | null;
  pipeline_attempt: number | null;
  pipeline_url: string | null;
  actor: string | null;
  status: string;
  result: string | null;
  started_at: string;
  finished_at: string | null;
  finished_day: number | null;
  change_id: string | null;
  change_link: string | null;
  coverage: string | null;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}
export interface DeploymentCisTable {
  deployment_id: string;
  ci_id: string;
}
/** A pull request a deployment shipped, with the deployment's scope copied for DORA's lead time (0032). */
export interface DeploymentPullRequestsTable {
  deployment_id: string;
  number: number;
  repository: string;
  url: string | null;
  title: string | null;
  author: string | null;
  first_commit_at: string | null;
  merged_at: string | null;
  lead_seconds: number | null;
  service_id: string | null;
  environment: string;
  production: number;
  finished_at: string | null;
  finished_day: number | null;
  first_key: string | null;
  first_deployment: number;
  deployment_mark: number;
}
/** DORA's daily rollup (migration 0040): `service_id` is `''` for deployments of no service; `lead_seconds` comma-joined. */
export interface DeploymentDaysTable {
  service_id: string;
  environment: string;
  production: number;
  day: number;
  total: number;
  successes: number;
  lead_seconds: string;
  lead_deployments: number;
}
/** Per finished deployment, the finish of the next successful one of its service and environment (migration 0040). */
export interface DeploymentNextSuccessesTable {
  deployment_id: string;
  next_success_at: string | null;
}
export interface DeploymentIncidentsTable {
  deployment_id: string;
  incident_id: string;
  created_by: string;
  created_at: string;
}
/** A production deployment no authorised change covered, and its blameless review (0032). */
export interface UnauthorizedChangesTable {
  id: string;
  number: string;
  state: string;
  scope_key: string;
  service_id: string | null;
  ci_id: string | null;
  repository: string;
  environment: string;
  first_seen_at: string;
  last_seen_at: string;
  quiet_until: string;
  deployment_count: number;
  cause: string | null;
  cause_text: string;
  fix_kind: string | null;
  fix_text: string;
  fix_link_kind: string | null;
  fix_link_id: string | null;
  outcome: string | null;
  authorised_change_id: string | null;
  notes: string;
  reviewed_by: string | null;
  reviewed_at: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}
export interface UnauthorizedChangeDeploymentsTable {
  unauthorized_id: string;
  deployment_id: string;
}
export interface ConflictAcknowledgementsTable {
  change_id: string;
  key: string;
  other_change_id: string;
  starts_at: string;
  ends_at: string;
  acknowledged_by: string;
  acknowledged_at: string;
  reason: string;
}
export interface ChangeConflictsTable {
  id: string;
  change_id: string;
  key: string;
  kind: string;
  other_change_id: string | null;
  window_id: string | null;
  service_id: string | null;
  starts_at: string;
  ends_at: string;
  detail: unknown;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  acknowledged_reason: string | null;
  created_at: string;
}
export interface ChangeImpactExclusionsTable {
  change_id: string;
  ci_id: string;
  reason: string;
  created_by: string;
  created_at: string;
}
export interface FreezeExceptionsTable {
  id: string;
  change_id: string;
  window_ids: unknown;
  reason: string;
  risk: string;
  mitigation: string;
  accepted_by: string;
  state: string;
  created_by: string;
  created_at: string;
  decided_at: string | null;
}
export interface ChangeEvidenceTable {
  id: string;
  change_id: string;
  kind: string;
  title: string;
  body: string;
  url: string | null;
  sha256: string;
  created_by: string;
  created_at: string;
}
export interface DelegationsTable {
  id: string;
  user_id: string;
  delegate_id: string;
  starts_at: string;
  ends_at: string;
  reason: string;
  created_at: string;
  revoked_at: string | null;
}
export interface BreakGlassTable {
  id: string;
  change_id: string;
  user_id: string;
  reason: string;
  skipped: unknown;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  review_notes: string | null;
}
export interface SlaClocksTable {
  id: string;
  change_id: string;
  approval_id: string | null;
  metric: string;
  target: string;
  clock: string;
  policy_version: number;
  started_at: string;
  due_at: string;
  remind_at: string | null;
  stopped_at: string | null;
  reminded_at: string | null;
  breached_at: string | null;
  escalated_at: string | null;
}
export interface OutboxTable {
  id: string;
  topic: string;
  payload: unknown;
  created_at: string;
  available_at: string;
  attempts: number;
  claimed_by: string | null;
  claimed_until: string | null;
  delivered_at: string | null;
  last_error: string | null;
  /** pending, delivered, dead or discarded (0020). */
  state: string;
  dead_at: string | null;
  discarded_at: string | null;
  discarded_by: string | null;
  discard_reason: string | null;
}
/** One delivery attempt of an outbox item, per recipient and channel (0020). */
export interface OutboxDeliveriesTable {
  id: string;
  outbox_id: string;
  change_id: string | null;
  channel: string;
  recipient: string | null;
  user_id: string | null;
  attempt: number;
  attempted_at: string;
  result: string;
  error: string | null;
}
export interface NotificationsTable {
  id: string;
  user_id: string;
  kind: string;
  title: string;
  body: string;
  change_id: string | null;
  approval_id: string | null;
  outbox_id: string;
  created_at: string;
  read_at: string | null;
  /** When the notice stopped asking anything of its reader, and why (0017). */
  resolved_at: string | null;
  resolution: string | null;
}
export interface WindowsTable {
  id: string;
  name: string;
  kind: string;
  description: string;
  start_local: string;
  time_zone: string;
  duration_minutes: number;
  rrule: string | null;
  scope: unknown;
  urgent: boolean | number;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** UID of the iCalendar event the window was imported from (migration 0007). */
  source_uid: string | null;
}
/** A person's iCalendar subscription (migration 0009); only the hash of its secret is kept. */
export interface CalendarFeedsTable {
  id: string;
  user_id: string;
  name: string;
  scope_kind: string;
  scope_ref: string | null;
  token_hash: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** One content version of a catalogue entry (0027). */
export interface TemplateVersionsTable {
  template_id: string;
  number: number;
  /** proposed, active, superseded or withdrawn. */
  state: string;
  /** JSON: TemplateContent. */
  content: unknown;
  note: string;
  proposed_by: string;
  proposed_at: string;
  activated_by: string | null;
  activated_at: string | null;
}
/** The suspension log of a catalogue entry (0027). */
export interface TemplateSuspensionsTable {
  id: string;
  template_id: string;
  /** suspended or reinstated. */
  kind: string;
  reason: string;
  /** failures, review_overdue, manual. */
  cause: string;
  automatic: boolean | number;
  by_id: string;
  at: string;
  /** JSON: the numbers that triggered it. */
  numbers: unknown;
}
/** A change's latest pre-approval checks and its conversion from standard (0027). */
export interface ChangeChecksTable {
  change_id: string;
  /** JSON: ChangeCheck[]. */
  checks: unknown;
  /** JSON: ChangeConversion, or null. */
  conversion: unknown;
  updated_at: string;
}

export interface ChangeTemplatesTable {
  id: string;
  name: string;
  description: string;
  type: string;
  /** JSON: the prefilled text fields (TemplateFields). */
  fields: unknown;
  /** JSON: CI ids. */
  ci_ids: unknown;
  assignment_team_id: string | null;
  active: boolean | number;
  version: number;
  /** draft, proposed, active, suspended or retired (0027); `active` is true exactly when active. */
  state: string;
  category: string;
  owner_team_id: string | null;
  /** JSON: the entry's eligibility (TemplateEligibility); null: none. */
  eligibility: unknown;
  /** The content version in force; `pending_version` the proposed one waiting for activation (0027). */
  content_version: number;
  pending_version: number | null;
  /** The entry's own review cadence in days; null: the policy's (0030). Optional so that inserts may leave it out. */
  review_cadence_days?: number | null;
  /** When the entry's next periodic review is due; null: its activation plus the cadence (0030). */
  next_review_at?: string | null;
  /** The change the entry was proposed from (promotion, 0030). */
  source_change_id?: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}
export interface IncidentsTable {
  id: string;
  number: string;
  title: string;
  description: string;
  priority: number;
  state: string;
  opened_at: string;
  resolved_at: string | null;
  closed_at: string | null;
  caused_by_change_id: string | null;
  service_id: string | null;
  /** `cabinet` (filed here) or `import`. */
  source: string;
  /** JSON: what an import kept that Cabinet has no field for (the source's CI name, related change numbers…). */
  external: unknown;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}
export interface IncidentCisTable {
  incident_id: string;
  ci_id: string;
}

/** Problems and known errors (migration 0028). */
export interface ProblemsTable {
  id: string;
  number: string;
  title: string;
  description: string;
  priority: number;
  state: string;
  service_id: string | null;
  owner_id: string | null;
  team_id: string | null;
  root_cause: string;
  resolved_at: string | null;
  resolved_by_change_id: string | null;
  closed_at: string | null;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}
export interface ProblemCisTable {
  problem_id: string;
  ci_id: string;
}
export interface ProblemIncidentsTable {
  problem_id: string;
  incident_id: string;
}
export interface ProblemChangesTable {
  problem_id: string;
  change_id: string;
  /** `caused` (the change caused the problem) or `fix` (the change fixes it). */
  role: string;
}
export interface KnownErrorsTable {
  id: string;
  number: string;
  title: string;
  cause: string;
  /** Markdown. */
  workaround: string;
  problem_id: string | null;
  /** draft, published or retired. */
  state: string;
  published_at: string | null;
  retired_at: string | null;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}
export interface KnownErrorCisTable {
  known_error_id: string;
  ci_id: string;
}

export interface SavedViewsTable {
  id: string;
  owner_id: string;
  /** changes, incidents, cis or templates. */
  list: string;
  name: string;
  /** The list's query string, without a leading "?" or a cursor. */
  query: string;
  shared: boolean | number;
  created_at: string;
  updated_at: string;
}

/** Who follows what (migration 0021): a user or a team, a service, CI or team, with events and channels. */
export interface SubscriptionsTable {
  id: string;
  user_id: string | null;
  team_id: string | null;
  /** service, ci or team. */
  target_kind: string;
  target_id: string;
  include_dependencies: boolean | number;
  /** JSON: event names, or null for every event. */
  events: unknown;
  /** JSON: in_app, email. */
  channels: unknown;
  created_by: string;
  created_at: string;
  /** An external address that follows instead of a person or team (0024). */
  address: string | null;
  /** pending (an external address not confirmed yet) or active (0024). NOTE: NOT NULL with a default (active); typed nullable so that inserts may leave it out. */
  state: string | null;
  confirm_sent_at: string | null;
}
/** A concern raised about a change and its answer (migration 0021). */
export interface ConcernsTable {
  id: string;
  change_id: string;
  author_id: string;
  text: string;
  created_at: string;
  answer_text: string | null;
  answered_by: string | null;
  answered_at: string | null;
}
/** A key the server made for itself on first use, by name (migration 0022): `unsubscribe` signs unsubscribe links. */
/** A notice that goes out once per occasion was queued (migration 0025). */
export interface NoticeMarksTable {
  change_id: string;
  mark: string;
  created_at: string;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: string;
}
/** One digest per person and period, claimed with the outbox item that sends it (migration 0024). */
export interface DigestsTable {
  user_id: string;
  /** `daily:YYYY-MM-DD` or `weekly:YYYY-MM-DD` (the Monday), in the person's zone. */
  period: string;
  change_count: number;
  outbox_id: string | null;
  created_at: string;
}
/** An outbound webhook an admin registered (migration 0023). */
export interface WebhooksTable {
  id: string;
  url: string;
  /** generic, slack, teams or mattermost. */
  format: string;
  /** JSON: the event names it wants. */
  events: unknown;
  enabled: boolean | number;
  /** The signing secret, AES-256-GCM under the `webhook` server secret (integrations/webhook/secret-box.ts). */
  secret_sealed: string;
  secret_hint: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}
/** A host, address or CIDR range webhooks may reach although it is private (migration 0023). */
export interface WebhookAllowListTable {
  entry: string;
  created_by: string;
  created_at: string;
}

/** A periodic review of a catalogue entry (migration 0030). */
export interface CatalogueReviewsTable {
  id: string;
  template_id: string;
  template_version: number;
  due_at: string;
  /** open or decided. */
  state: string;
  /** keep, revise or retire; null while open. */
  decision: string | null;
  reason: string;
  /** JSON: the entry's history when the review opened. */
  history: unknown;
  decided_by: string | null;
  decided_at: string | null;
  /** When the review, overdue past the grace period, suspended its entry (once). */
  suspended_at: string | null;
  created_at: string;
}
/** A change judged to be of another type than it was filed as (migration 0030). */
export interface ReclassificationsTable {
  id: string;
  change_id: string;
  from_type: string;
  to_type: string;
  reason: string;
  /** The change's assignment team when it was reclassified. */
  team_id: string | null;
  /** JSON: the ids of the change's services (through its CIs) when it was reclassified. */
  service_ids: unknown;
  created_by: string;
  created_at: string;
}
/** A question a pipeline asked the deployment gate (migration 0031); unique per (source, repository, run_id, attempt, environment). */
export interface GateChecksTable {
  id: string;
  source: string;
  repository: string;
  run_id: string;
  attempt: number;
  environment: string;
  ref: string;
  sha: string;
  pipeline_id: string;
  pipeline_url: string | null;
  service_id: string | null;
  /** JSON: the target's CI ids. */
  ci_ids: unknown;
  /** Who started the deployment, as the tool names them. */
  actor: string;
  /** The Cabinet account that asked (a pipeline's machine account). */
  account_id: string;
  change_number: string | null;
  template_id: string | null;
  change_id: string | null;
  decision: string;
  /** JSON: `[{code, message, ref}]`. */
  reasons: unknown;
  claimed_at: string | null;
  deadline: string | null;
  decided_at: string;
  evaluated_at: string | null;
  version: number;
  created_at: string;
}
/** A post-implementation review of a change, at most one per change (migration 0029). */
export interface ChangeReviewsTable {
  id: string;
  change_id: string;
  /** open, in_progress or completed. */
  state: string;
  /** JSON: the policy rules that asked for the review, `[{name, reason}]`. */
  reasons: unknown;
  due_at: string;
  went_well: string;
  went_badly: string;
  /** JSON: the contributing factors, a list of strings. */
  factors: unknown;
  /** JSON: the ids of the people who took part. */
  reviewer_ids: unknown;
  completed_by: string | null;
  completed_at: string | null;
  overdue_notified_at: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}
/** An action item of a post-implementation review (migration 0029). */
export interface ReviewActionsTable {
  id: string;
  review_id: string;
  title: string;
  owner_id: string | null;
  due_at: string | null;
  /** open or done. */
  state: string;
  /** problem or change, with the id of what it links to; both null for none. */
  link_kind: string | null;
  link_id: string | null;
  done_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}
/** The settings of one integration (github, gitlab, argocd), its secrets sealed (migration 0033). */
export interface IntegrationSettingsTable {
  kind: string;
  config: unknown;
  /** JSON: `{ name: { sealed, hint } }`, each sealed with integrations/webhook/secret-box.ts. */
  secrets: unknown;
  version: number;
  updated_by: string;
  updated_at: string;
}
/** A webhook delivery already handled, by its source and delivery id (migration 0033). */
export interface IntegrationDeliveriesTable {
  source: string;
  delivery_id: string;
  event: string;
  received_at: string;
}
/** A GitHub protection rule or GitLab blocked deployment waiting on a gate check (migration 0033). */
export interface IntegrationGateRequestsTable {
  id: string;
  kind: string;
  check_id: string;
  repository: string;
  environment: string;
  installation_id: string | null;
  callback_url: string | null;
  run_id: string | null;
  project_id: string | null;
  deployment_id: string | null;
  /** waiting, approved or rejected. */
  state: string;
  reports: number;
  last_decision: string | null;
  deadline: string;
  created_at: string;
  decided_at: string | null;
}
/** An Argo CD application whose sync a freeze held (migration 0033). */
export interface ArgocdHoldsTable {
  id: string;
  application: string;
  project: string;
  revision: string;
  service_id: string | null;
  environment: string;
  freeze_id: string | null;
  freeze_ends_at: string | null;
  message: string;
  held_at: string;
  released_at: string | null;
}
/** A change advisory board: a CAB, the ECAB or a technical board (migration 0036). */
export interface BoardsTable {
  id: string;
  name: string;
  /** cab, ecab or technical. */
  kind: string;
  description: string;
  /** CEL source over a change; null: every change routed to the board. */
  scope: string | null;
  quorum_min_members: number;
  /** JSON: the domains of which a voter must be, a list of strings. */
  quorum_required_domains: unknown;
  /** round_robin or least_recent. */
  chair_rule: string;
  response_minutes: number | null;
  active: boolean | number;
  /** JSON: how the board's meetings recur (migration 0039), or null. Optional so that inserts may leave it out. */
  recurrence?: unknown;
  version: number;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
}
/** A person or team on a board, in member order (migration 0036). */
export interface BoardMembersTable {
  board_id: string;
  /** user or team. */
  member_kind: string;
  member_id: string;
  /** JSON: the domains the member represents, a list of strings. */
  domains: unknown;
  is_delegate: boolean | number;
  position: number;
}

/** A board's meeting (migration 0038). */
export interface BoardMeetingsTable {
  id: string;
  board_id: string;
  title: string;
  start_at: string;
  duration_minutes: number;
  /** planned, live, ended or cancelled. */
  state: string;
  chair_id: string | null;
  started_at: string | null;
  ended_at: string | null;
  cancelled_reason: string | null;
  current_change_id: string | null;
  current_since: string | null;
  notes: string;
  minutes_hash: string | null;
  /** The recurrence occurrence it was made for (migration 0039); null for an ad hoc meeting. */
  occurrence?: string | null;
  version: number;
  created_by: string;
  created_at: string;
}
export interface MeetingAgendaEditsTable {
  id: string;
  meeting_id: string;
  /** add, remove or move. */
  action: string;
  change_id: string;
  position: number | null;
  reason: string;
  created_by: string;
  created_at: string;
}
export interface MeetingAttendanceTable {
  meeting_id: string;
  user_id: string;
  present: boolean | number;
  recorded_by: string;
  attested: boolean | number;
  recorded_at: string;
}
export interface MeetingItemTimesTable {
  meeting_id: string;
  change_id: string;
  seconds: number;
}
export interface BoardDecisionsTable {
  id: string;
  board_id: string;
  meeting_id: string | null;
  change_id: string;
  approval_id: string | null;
  decision: string;
  rationale: string;
  deferred_to: string | null;
  /** JSON: [{ userId, name, decision }]. */
  votes: unknown;
  /** JSON: the quorum check when it was decided. */
  quorum: unknown;
  minutes_spent: number | null;
  decided_by: string;
  decided_at: string;
}
export interface ChangeConditionsTable {
  id: string;
  change_id: string;
  decision_id: string;
  text: string;
  due_at: string | null;
  /** person, check or change_manager. */
  verifier_kind: string;
  verifier_ref: string | null;
  /** open or met. */
  state: string;
  met_by: string | null;
  met_at: string | null;
  note: string | null;
  created_at: string;
}
export interface MeetingMinutesTable {
  meeting_id: string;
  markdown: string;
  sha256: string;
  created_by: string;
  created_at: string;
}
