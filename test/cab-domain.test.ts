import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAgenda, type AgendaCandidate, type AgendaInput } from '../src/domain/cab/agenda';
import { checkQuorum, nextChair, type ChairCandidate } from '../src/domain/cab/board';
import { boardMetrics, meetingFigures, periodsOf, responseFigures, type DecidedItem } from '../src/domain/cab/metrics';

const allotment = { very_high: 20, high: 15, moderate: 10, low: 5 } as const;

function candidate(number: string, riskLevel: AgendaCandidate['riskLevel'], plannedStart: string | null, preAuthorised = false): AgendaCandidate {
  return { changeId: `id-${number}`, number, title: `Change ${number}`, riskLevel, riskScore: 0, plannedStart, preAuthorised };
}

function agenda(candidates: AgendaCandidate[], over: Partial<AgendaInput> = {}) {
  return buildAgenda({
    candidates,
    meeting: { start: '2027-03-01T10:00:00Z', durationMinutes: 30 },
    nextMeetingStart: '2027-03-08T10:00:00Z',
    cutoff: '2027-03-15T10:00:00Z',
    allotment,
    adjustments: [],
    frozenAt: null,
    ...over,
  });
}

describe('the CAB agenda builds itself', () => {
  it('orders by risk then planned start, allots time by risk band, and flags what cannot wait for the next meeting', () => {
    const a = agenda([
      candidate('CHG3', 'moderate', '2027-03-03T01:00:00Z'),
      candidate('CHG1', 'high', '2027-03-10T01:00:00Z'),
      candidate('CHG2', 'high', '2027-03-05T01:00:00Z'),
      candidate('CHG4', 'low', null),
      candidate('CHG5', 'very_high', '2027-03-20T01:00:00Z'), // after the meeting after next: a later agenda
      candidate('CHG6', 'low', '2027-03-02T01:00:00Z', true), // standard: FYI only
    ]);
    assert.deepEqual(
      a.items.map((i) => [i.number, i.allottedMinutes, i.startsAtMinute, i.urgent, i.overflow]),
      [
        ['CHG2', 15, 0, true, false],
        ['CHG1', 15, 15, false, false],
        ['CHG3', 10, 30, true, true],
        ['CHG4', 5, 40, false, true],
      ],
    );
    assert.equal(a.overrunMinutes, 15);
    assert.deepEqual(a.fyi.map((i) => i.number), ['CHG6']);
  });

  it('applies the change managers’ edits in the order made, marking additions after the freeze as late', () => {
    const out = candidate('CHG9', 'very_high', '2027-04-01T00:00:00Z');
    const a = agenda([candidate('CHG1', 'high', '2027-03-05T00:00:00Z'), candidate('CHG2', 'low', '2027-03-06T00:00:00Z'), candidate('CHG3', 'moderate', '2027-03-07T00:00:00Z'), out], {
      frozenAt: '2027-03-01T10:00:00Z',
      adjustments: [
        { kind: 'remove', changeId: 'id-CHG3', reason: 'Waiting for the vendor', at: '2027-02-27T09:00:00Z' },
        { kind: 'move', changeId: 'id-CHG2', position: 1, reason: 'The owner must leave early', at: '2027-02-28T09:00:00Z' },
        { kind: 'add', changeId: 'id-CHG9', reason: 'Needs a decision on the approach', at: '2027-03-01T10:05:00Z' },
      ],
    });
    assert.deepEqual(a.items.map((i) => [i.number, i.position, i.movedReason, i.addedReason, i.late]), [
      ['CHG2', 1, 'The owner must leave early', null, false],
      ['CHG1', 2, null, null, false],
      ['CHG9', 3, null, 'Needs a decision on the approach', true],
    ]);
    assert.deepEqual(a.removed, [{ changeId: 'id-CHG3', number: 'CHG3', reason: 'Waiting for the vendor' }]);
  });

  it('with no next meeting planned, every planned item must be decided now', () => {
    const a = agenda([candidate('CHG1', 'low', '2027-06-01T00:00:00Z')], { nextMeetingStart: null, cutoff: null });
    assert.equal(a.items[0]!.urgent, true);
  });
});

describe('board rules', () => {
  const members: ChairCandidate[] = [
    { userId: 'ann', lastChairedAt: '2027-01-04T10:00:00Z', away: false },
    { userId: 'bob', lastChairedAt: null, away: true },
    { userId: 'cy', lastChairedAt: '2026-12-28T10:00:00Z', away: false },
    { userId: 'di', lastChairedAt: null, away: false },
  ];

  it('rotates the chair round robin or to the least recent, skipping people who are away', () => {
    assert.equal(nextChair('round_robin', members, 'ann'), 'cy'); // bob is away
    assert.equal(nextChair('round_robin', members, 'di'), 'ann'); // wraps around
    assert.equal(nextChair('round_robin', members, null), 'ann');
    assert.equal(nextChair('least_recent', members, 'ann'), 'di'); // never chaired, and present
    assert.equal(nextChair('least_recent', members.filter((m) => m.userId !== 'di'), null), 'cy');
    assert.equal(nextChair('round_robin', members.map((m) => ({ ...m, away: true })), 'ann'), null);
  });

  it('counts each voter once, never a party to the change, and needs every required domain', () => {
    const voters = [
      { userId: 'ann', domains: ['network'] },
      { userId: 'ann', domains: ['network'] },
      { userId: 'req', domains: ['security'] },
      { userId: 'cy', domains: ['Database'] },
    ];
    assert.deepEqual(checkQuorum({ minMembers: 2, requiredDomains: ['security'] }, voters, new Set(['req'])), {
      met: false,
      voters: 2,
      missingMembers: 0,
      missingDomains: ['security'],
    });
    assert.deepEqual(checkQuorum({ minMembers: 3, requiredDomains: ['database'] }, voters, new Set()), { met: true, voters: 3, missingMembers: 0, missingDomains: [] });
    assert.equal(checkQuorum({ minMembers: 4 }, voters, new Set()).missingMembers, 1);
  });
});

describe('the board measures itself', () => {
  const item = (changeId: string, decision: DecidedItem['decision'], over: Partial<DecidedItem> = {}): DecidedItem => ({
    changeId,
    decision,
    riskLevel: 'high',
    submittedAt: '2027-03-01T00:00:00Z',
    decidedAt: '2027-03-02T00:00:00Z',
    earlierDeferrals: 0,
    escaped: false,
    minutesTaken: null,
    minutesAllotted: null,
    ...over,
  });

  it('gives every rate with its numerator and denominator, and flags a rubber stamp only with enough decisions', () => {
    const m = boardMetrics([
      item('a', 'approve', { escaped: true, minutesTaken: 20, minutesAllotted: 15 }),
      item('b', 'approve_with_conditions', { riskLevel: 'low', decidedAt: '2027-03-01T12:00:00Z' }),
      item('c', 'defer', { earlierDeferrals: 1, minutesTaken: 5, minutesAllotted: 10 }),
      item('d', 'reject', { decidedAt: '2027-03-04T00:00:00Z' }),
    ]);
    assert.deepEqual(m.approvalRate, { value: 0.5, numerator: 2, denominator: 4 });
    assert.deepEqual(m.escapeRate, { value: 0.5, numerator: 1, denominator: 2 });
    assert.deepEqual(m.deferralRate, { value: 0.25, numerator: 1, denominator: 4 });
    assert.equal(m.deferredMoreThanOnce, 1);
    assert.deepEqual(m.lowRiskShare, { value: 0.25, numerator: 1, denominator: 4 });
    assert.equal(m.medianHoursToDecision, 24);
    assert.deepEqual(m.timeAgainstAllotment, { value: 1, numerator: 25, denominator: 25 });
    assert.equal(m.rubberStamp, false);
    const stamp = boardMetrics(Array.from({ length: 25 }, (_, i) => item(`x${i}`, 'approve')));
    assert.equal(stamp.rubberStamp, true);
    assert.equal(boardMetrics(Array.from({ length: 5 }, (_, i) => item(`y${i}`, 'approve'))).rubberStamp, false);
    assert.deepEqual(boardMetrics([]).approvalRate, { value: null, numerator: 0, denominator: 0 });
  });
});

describe('the board measures itself: time, meetings, response and trend periods', () => {
  const item = (changeId: string, decision: DecidedItem['decision'], hours: number): DecidedItem => ({
    changeId,
    decision,
    riskLevel: 'high',
    submittedAt: '2027-03-01T00:00:00Z',
    decidedAt: new Date(Date.parse('2027-03-01T00:00:00Z') + hours * 3_600_000).toISOString(),
    earlierDeferrals: 0,
    escaped: false,
    minutesTaken: null,
    minutesAllotted: null,
  });

  it('times only the answers: a deferral or a request for information leaves the requester waiting', () => {
    const m = boardMetrics([item('a', 'defer', 1), item('a', 'request_info', 2), item('a', 'approve', 30), item('b', 'reject', 10)]);
    assert.equal(m.medianHoursToDecision, 20);
    assert.equal(boardMetrics([item('c', 'defer', 5)]).medianHoursToDecision, null);
  });

  it('counts attendance over the people expected and the meetings whose quorum never was', () => {
    const f = meetingFigures(
      [
        { meetingId: 'm1', people: 4, present: 4, quorumMet: true },
        { meetingId: 'm2', people: 4, present: 1, quorumMet: false },
      ],
      [{ quorumMet: true }, { quorumMet: true }, { quorumMet: false }],
    );
    assert.deepEqual(f, { meetingsHeld: 2, attendance: { value: 5 / 8, numerator: 5, denominator: 8 }, quorumMet: { value: 2 / 3, numerator: 2, denominator: 3 }, withoutQuorum: ['m2'] });
    assert.deepEqual(meetingFigures([], []).attendance, { value: null, numerator: 0, denominator: 0 });
  });

  it('measures response time against the SLA, the SLA itself counting as within', () => {
    const at = (minutes: number) => ({ submittedAt: '2027-03-01T00:00:00Z', decidedAt: new Date(Date.parse('2027-03-01T00:00:00Z') + minutes * 60_000).toISOString() });
    assert.deepEqual(responseFigures([at(10), at(60), at(90)], 60), { slaMinutes: 60, medianMinutes: 60, withinSla: { value: 2 / 3, numerator: 2, denominator: 3 } });
    assert.deepEqual(responseFigures([], 60).withinSla, { value: null, numerator: 0, denominator: 0 });
  });

  it('splits a period into weeks from Monday and calendar months, UTC', () => {
    // 2027-03-03 is a Wednesday.
    assert.deepEqual(periodsOf('2027-03-03T10:00:00Z', '2027-03-20T00:00:00Z', 'week'), ['2027-03-01T00:00:00.000Z', '2027-03-08T00:00:00.000Z', '2027-03-15T00:00:00.000Z']);
    assert.deepEqual(periodsOf('2027-01-31T23:00:00Z', '2027-03-01T00:00:00Z', 'month'), ['2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z']);
    assert.deepEqual(periodsOf('2027-03-07T23:59:59Z', '2027-03-08T00:00:01Z', 'week'), ['2027-03-01T00:00:00.000Z', '2027-03-08T00:00:00.000Z']);
  });
});
