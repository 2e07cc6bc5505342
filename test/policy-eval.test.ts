import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildChangeContext, localTime, type ChangeContextInput } from '../src/policy/context';

const input: ChangeContextInput = {
  change: {
    type: 'normal',
    state: 'assess',
    title: 'Upgrade',
    impact: 'high',
    urgency: 'medium',
    priority: 2,
    plannedStart: '2030-01-05T22:00:00Z',
    plannedEnd: '2030-01-05T23:30:00Z',
    implementationPlan: 'stop writers\n\n  \nupgrade\nstart writers\n',
    testPlan: '  ',
    backoutPlan: 'fail over',
    backoutTested: true,
    assignmentTeamHandle: null,
    templateName: 'Database upgrade',
  },
  cis: [
    { name: 'pay-db', type: 'database', environment: 'production', criticality: 'critical', tags: ['sox', 'pci'], serviceName: 'Payments' },
    { name: 'pay-cache', type: 'cache', environment: 'production', criticality: 'unknown', tags: ['pci'], serviceName: null },
  ],
  services: [{ name: 'Payments', tier: 1, tags: ['pci', 'gdpr'], provider: 'aws', ownerTeamHandle: null }],
  requester: { email: 'bob@example.com', name: 'Bob', roles: ['requester'], teamHandles: ['payments'] },
  history: { teamChanges90d: 8, teamFailed90d: 2, ciChanges90d: 0, ciFailed90d: 0, templateChanges90d: 4, templateFailed90d: 1, ciIncidents30d: 3, openReviewActions: 2, reviewFindings90d: 1 },
  businessHours: { timeZone: 'Europe/Zurich', days: [1, 2, 3, 4, 5], start: 8, end: 18 },
  now: new Date('2030-01-01T00:00:00Z'),
};

describe('change context', () => {
  it('builds every documented field from a complete change', () => {
    assert.deepEqual(buildChangeContext(input), {
      change: {
        type: 'normal',
        state: 'assess',
        title: 'Upgrade',
        impact: 'high',
        urgency: 'medium',
        priority: 2n,
        ciCount: 2n,
        serviceCount: 1n,
        hasImplementationPlan: true,
        implementationSteps: 3n,
        hasTestPlan: false,
        hasBackoutPlan: true,
        backoutTested: true,
        durationMinutes: 90n,
        assignmentTeam: '',
        freezeException: false,
        template: 'Database upgrade',
        tags: ['gdpr', 'pci', 'sox'],
      },
      cis: [
        { name: 'pay-db', type: 'database', environment: 'production', criticality: 'critical', criticalityRank: 4n, tags: ['sox', 'pci'], service: 'Payments' },
        { name: 'pay-cache', type: 'cache', environment: 'production', criticality: 'unknown', criticalityRank: 2n, tags: ['pci'], service: '' },
      ],
      services: [{ name: 'Payments', tier: 1n, tags: ['pci', 'gdpr'], provider: 'aws', ownerTeam: '' }],
      requester: { email: 'bob@example.com', name: 'Bob', roles: ['requester'], teams: ['payments'] },
      // 22:00 UTC on Saturday 5 January is 23:00 in Zurich (UTC+1 in winter).
      time: { scheduled: true, weekday: 6n, hour: 23n, businessHours: false, weekend: true, leadTimeHours: 118n, inFreeze: false, nearFreeze: false, hoursToFreeze: 336n },
      history: { teamChanges90d: 8n, teamFailed90d: 2n, teamFailureRate: 0.25, ciChanges90d: 0n, ciFailed90d: 0n, ciFailureRate: 0, templateChanges90d: 4n, templateFailed90d: 1n, templateFailureRate: 0.25, ciIncidents30d: 3n, openReviewActions: 2n, reviewFindings90d: 1n },
    });
  });

  it('gives an unscheduled change no weekday, hour or lead time, and no tags when nothing is tagged', () => {
    const context = buildChangeContext({
      ...input,
      change: { ...input.change, plannedStart: null, plannedEnd: null },
      cis: [{ ...input.cis[0]!, tags: [] }],
      services: [],
    });
    assert.deepEqual(context.time, { scheduled: false, weekday: 0n, hour: 0n, businessHours: false, weekend: false, leadTimeHours: 0n, inFreeze: false, nearFreeze: false, hoursToFreeze: 336n });
    assert.deepEqual((context.change as { tags: string[] }).tags, []);
    assert.equal((context.change as { durationMinutes: bigint }).durationMinutes, 0n);
  });

  it('reads each time zone with its own rules when several zones are used in turn', () => {
    // 23:30 UTC on Wednesday 1 July 2026; Kolkata's half-hour offset moves it to the next hour, not the next day.
    const instant = '2026-07-01T23:30:00Z';
    const cases = [
      ['Europe/London', { weekday: 4, hour: 0 }],
      ['Asia/Tokyo', { weekday: 4, hour: 8 }],
      ['America/Los_Angeles', { weekday: 3, hour: 16 }],
      ['Asia/Kolkata', { weekday: 4, hour: 5 }],
    ] as const;
    for (let round = 0; round < 2; round++) {
      for (const [zone, expected] of cases) assert.deepEqual(localTime(instant, zone), expected, `${zone}, round ${round + 1}`);
    }
  });

  it('rejects an unknown time zone every time it is asked for, not only the first time', () => {
    for (let attempt = 0; attempt < 2; attempt++) assert.throws(() => localTime('2026-07-01T12:00:00Z', 'Mars/Olympus_Mons'), RangeError);
  });
});
