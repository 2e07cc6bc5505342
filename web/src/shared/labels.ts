import type { CloseCode, Environment, Level, RelationType, RoleName, ServiceProvider } from '../api/types';

/** Options for selects, typed so that a value added to a contract shows up here as a type error. */
export const ENVIRONMENT_LABELS: Record<Environment, string> = {
  production: 'Production',
  staging: 'Staging',
  test: 'Test',
  development: 'Development',
  disaster_recovery: 'Disaster recovery',
};

export const LEVEL_LABELS: Record<Level, string> = { low: 'Low', medium: 'Medium', high: 'High' };

export const CLOSE_CODE_LABELS: Record<CloseCode, string> = {
  successful: 'Successful',
  successful_with_issues: 'Successful with issues',
  unsuccessful: 'Unsuccessful',
  rolled_back: 'Rolled back',
  cancelled: 'Cancelled',
};

export const PROVIDER_LABELS: Record<ServiceProvider, string> = {
  on_premises: 'On premises',
  colocation: 'Colocation',
  aws: 'AWS',
  azure: 'Azure',
  gcp: 'Google Cloud',
  saas: 'SaaS',
};

export const RELATION_LABELS: Record<RelationType, { outgoing: string; incoming: string }> = {
  depends_on: { outgoing: 'depends on', incoming: 'is needed by' },
  runs_on: { outgoing: 'runs on', incoming: 'hosts' },
  connects_to: { outgoing: 'connects to', incoming: 'is connected from' },
};

export const ROLE_LABELS: Record<RoleName, string> = {
  admin: 'Admin',
  change_manager: 'Change manager',
  requester: 'Requester',
  implementer: 'Implementer',
  approver: 'Approver',
  cab_member: 'CAB member',
  release_manager: 'Release manager',
  auditor: 'Auditor',
  stakeholder: 'Stakeholder',
  pipeline: 'Pipeline (machine account)',
};

export const PRIORITY_LABELS: Record<number, string> = { 1: '1 · Critical', 2: '2 · High', 3: '3 · Moderate', 4: '4 · Low' };

/** `{ a: 'A' }` → `[{ value: 'a', label: 'A' }]` for Mantine selects. */
export function toOptions<K extends string>(labels: Record<K, string>): { value: K; label: string }[] {
  return (Object.keys(labels) as K[]).map((value) => ({ value, label: labels[value] }));
}
