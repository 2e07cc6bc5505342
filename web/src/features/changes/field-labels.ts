import { humanize } from '../../shared/format';

/** What people call the fields of a change; used wherever the server names a field. */
export const CHANGE_FIELD_LABELS: Record<string, string> = {
  type: 'Type',
  title: 'Title',
  description: 'Description',
  justification: 'Justification',
  ownerId: 'Owner',
  assignmentTeamId: 'Assignment team',
  changeManagerId: 'Change manager',
  implementerId: 'Implementer',
  requesterId: 'Requester',
  ciIds: 'Affected CIs',
  serviceIds: 'Services',
  plannedStart: 'Planned start',
  plannedEnd: 'Planned end',
  actualStart: 'Actual start',
  actualEnd: 'Actual end',
  implementationPlan: 'Implementation plan',
  testPlan: 'Test plan',
  backoutPlan: 'Backout plan',
  backoutTested: 'Backout plan tested',
  impact: 'Impact',
  urgency: 'Urgency',
  priority: 'Priority',
  closeCode: 'Close code',
  closeNotes: 'Close notes',
  links: 'Links',
  state: 'State',
  risk: 'Risk',
  riskScore: 'Risk score',
  riskLevel: 'Risk level',
};

export function changeFieldLabel(field: string): string {
  return CHANGE_FIELD_LABELS[field] ?? humanize(field);
}
