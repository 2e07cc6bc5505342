import { Stack, Text, Title } from '@mantine/core';
import { type ReactNode, useId } from 'react';
import type { ChangeDetail } from '../../api/types';
import { DefinitionList, type DefinitionRow } from '../../shared/definition-list';
import { CLOSE_CODE_LABELS, LEVEL_LABELS } from '../../shared/labels';
import { RouterAnchor } from '../../shared/router-link';
import { useTeamNames } from '../admin/admin-api';
import { useUserNames } from '../admin/user-select';
import { formatWhen } from '../audit/audit-labels';
import { useCis } from '../cmdb/cmdb-api';
import { routedTarget, RoutingHint } from './routing-hint';

/** A value, or a quiet "Not given" when the change has none. */
function orNone(value: ReactNode | null | undefined): ReactNode {
  if (value === null || value === undefined || value === '') {
    return (
      <Text span size="sm" c="gray.7" fs="italic">
        Not given
      </Text>
    );
  }
  return value;
}

/** Text as written, with its line breaks. */
const prose = (text: string) => orNone(text ? <span className="cabinet-pre">{text}</span> : null);

function Section({ title, rows }: { title: string; rows: DefinitionRow[] }) {
  const id = useId();
  return (
    <section aria-labelledby={id}>
      <Title order={2} size="h5" id={id} mb={6}>
        {title}
      </Title>
      <DefinitionList rows={rows} termWidth="11rem" />
    </section>
  );
}

/**
 * A change for someone who may not edit it (an auditor, an approver, anyone once it is closed): its fields as a
 * document, label and value, instead of a form of disabled inputs.
 */
export function ChangeDocument({ change, note }: { change: ChangeDetail; note: string }) {
  const cis = useCis(change.ciIds);
  const teamNames = useTeamNames();
  const userNames = useUserNames([change.changeManagerId, change.implementerId, change.requesterId]);
  const person = (id: string | null) => (id ? (userNames.get(id) ?? id) : null);
  const routedTeam = routedTarget(change, 'team', change.assignmentTeamId);
  const routedManager = routedTarget(change, 'changeManager', change.changeManagerId);
  const closed = change.closeCode !== null || change.actualStart !== null || change.actualEnd !== null || change.closeNotes !== '';

  return (
    <Stack gap="lg" data-testid="change-document">
      <Text size="sm" c="gray.7">
        {note}
      </Text>
      <Section
        title="What and why"
        rows={[
          ['Description', prose(change.description), 'description'],
          ['Justification', prose(change.justification), 'justification'],
          [
            'Affected CIs',
            orNone(
              change.ciIds.length > 0 ? (
                <span>
                  {change.ciIds.map((id, i) => (
                    <span key={id}>
                      {i > 0 && ', '}
                      <RouterAnchor to={`/cmdb/cis/${id}`} size="sm">
                        {cis[i]?.data?.name ?? id}
                      </RouterAnchor>
                    </span>
                  ))}
                </span>
              ) : null,
            ),
            'cis',
          ],
        ]}
      />
      <Section
        title="When"
        rows={[
          ['Planned start', orNone(change.plannedStart ? formatWhen(change.plannedStart) : null), 'plannedStart'],
          ['Planned end', orNone(change.plannedEnd ? formatWhen(change.plannedEnd) : null), 'plannedEnd'],
          ['Impact', LEVEL_LABELS[change.impact], 'impact'],
          ['Urgency', LEVEL_LABELS[change.urgency], 'urgency'],
        ]}
      />
      <Section
        title="Plans"
        rows={[
          ['Implementation plan', prose(change.implementationPlan), 'implementationPlan'],
          ['Test plan', prose(change.testPlan), 'testPlan'],
          ['Backout plan', prose(change.backoutPlan), 'backoutPlan'],
          ['Backout plan tested', change.backoutTested ? 'Yes' : 'No', 'backoutTested'],
        ]}
      />
      <Section
        title="People"
        rows={[
          ['Requester', orNone(person(change.requesterId)), 'requester'],
          [
            'Assignment team',
            orNone(
              change.assignmentTeamId ? (
                <>
                  {teamNames.get(change.assignmentTeamId) ?? change.assignmentTeamId}
                  {routedTeam && (
                    <Text size="xs" component="div">
                      <RoutingHint routed={routedTeam} />
                    </Text>
                  )}
                </>
              ) : null,
            ),
            'team',
          ],
          [
            'Change manager',
            orNone(
              change.changeManagerId ? (
                <>
                  {person(change.changeManagerId)}
                  {routedManager && (
                    <Text size="xs" component="div">
                      <RoutingHint routed={routedManager} />
                    </Text>
                  )}
                </>
              ) : null,
            ),
            'changeManager',
          ],
          ['Implementer', orNone(person(change.implementerId)), 'implementer'],
        ]}
      />
      {closed && (
        <Section
          title="Outcome"
          rows={[
            ['Actual start', orNone(change.actualStart ? formatWhen(change.actualStart) : null), 'actualStart'],
            ['Actual end', orNone(change.actualEnd ? formatWhen(change.actualEnd) : null), 'actualEnd'],
            ['Close code', orNone(change.closeCode ? CLOSE_CODE_LABELS[change.closeCode] : null), 'closeCode'],
            ['Close notes', prose(change.closeNotes), 'closeNotes'],
          ]}
        />
      )}
    </Stack>
  );
}
