import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boardPeople } from '../src/domain/cab/board';
import { eachEngine, type Harness } from './support/cabinet';

/** The chair rotation skips members who are away at the meeting's start (docs/cab.md#meetings). */

const DAY = 86_400_000;
const HOUR = 3_600_000;
type Person = { id: string; token: string };

async function people(h: Harness, n: number): Promise<Person[]> {
  const out: Person[] = [];
  for (let i = 0; i < n; i++) out.push(await h.userWithToken(['cab_member']));
  return out;
}

async function board(h: Harness, body: Record<string, unknown>): Promise<string> {
  const res = await h.request('POST', '/api/v1/boards', {
    body: { name: `CAB ${Date.now()}-${Math.random()}`, kind: 'cab', quorum: { minMembers: 1 }, ...body },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

/** The person is away from `from` to `to` (ms from now): they delegate their approvals to `to` someone. */
async function away(h: Harness, who: Person, standIn: Person, fromMs: number, toMs: number): Promise<string> {
  const now = h.now().getTime();
  const res = await h.request('POST', '/api/v1/me/delegations', {
    token: who.token,
    body: {
      delegateId: standIn.id,
      startsAt: new Date(now + fromMs).toISOString(),
      endsAt: new Date(now + toMs).toISOString(),
      reason: 'On leave',
    },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

/** Schedules a meeting `inMs` from now without naming a chair: the board's rule picks one. */
async function chairOf(h: Harness, boardId: string, inMs: number): Promise<string | null> {
  const res = await h.request('POST', `/api/v1/boards/${boardId}/meetings`, {
    body: { start: new Date(h.now().getTime() + inMs).toISOString(), durationMinutes: 60 },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.chair?.userId ?? null;
}

describe('the chair rotation and people who are away', () => {
  eachEngine(
    'round robin: the member next in turn is away at the meeting’s start, so the one after chairs; back, they are in turn again',
    async (h) => {
      const [a, b, c, standIn] = await people(h, 4);
      const id = await board(h, { memberIds: [a!.id, b!.id, c!.id], chairRule: 'round_robin' });
      // b is away on day 2 only; a delegation that ended before a meeting does not skip anyone.
      await away(h, b!, standIn!, 2 * DAY - 3_600_000, 2 * DAY + 3_600_000);
      await away(h, c!, standIn!, 0, 12 * 3_600_000);
      assert.equal(await chairOf(h, id, 1 * DAY), a!.id, 'the first member chairs first');
      assert.equal(await chairOf(h, id, 2 * DAY), c!.id, 'b is away then: c chairs');
      assert.equal(await chairOf(h, id, 3 * DAY), a!.id, 'after c comes a');
      assert.equal(await chairOf(h, id, 4 * DAY), b!.id, 'b is back, and next in turn');
    },
  );

  eachEngine('least recent: the member who chaired longest ago is away, so the next longest chairs', async (h) => {
    const [a, b, c, standIn] = await people(h, 4);
    const id = await board(h, { memberIds: [a!.id, b!.id, c!.id], chairRule: 'least_recent' });
    await away(h, a!, standIn!, 1 * DAY - 3_600_000, 1 * DAY + 3_600_000);
    await away(h, c!, standIn!, 3 * DAY - 3_600_000, 3 * DAY + 3_600_000);
    assert.equal(await chairOf(h, id, 1 * DAY), b!.id, 'a never chaired but is away: b');
    assert.equal(await chairOf(h, id, 2 * DAY), a!.id, 'a is back and never chaired');
    assert.equal(await chairOf(h, id, 3 * DAY), b!.id, 'c never chaired but is away: b chaired longest ago');
    assert.equal(await chairOf(h, id, 4 * DAY), c!.id);
  });

  eachEngine('a revoked delegation means the person is not away', async (h) => {
    const [a, b, standIn] = await people(h, 3);
    const id = await board(h, { memberIds: [a!.id, b!.id], chairRule: 'round_robin' });
    const delegation = await away(h, a!, standIn!, 0, 2 * DAY);
    assert.equal((await h.request('DELETE', `/api/v1/me/delegations/${delegation}`, { token: a!.token })).status, 204);
    assert.equal(await chairOf(h, id, DAY), a!.id);
  });

  eachEngine('every member away: a delegate who is not chairs; everyone away: no chair, a change manager runs the meeting', async (h) => {
    const [a, b, delegate, standIn] = await people(h, 4);
    const id = await board(h, { memberIds: [a!.id, b!.id], members: [{ userId: delegate!.id, delegate: true }], chairRule: 'round_robin' });
    await away(h, a!, standIn!, 0, 3 * DAY);
    await away(h, b!, standIn!, 0, 3 * DAY);
    assert.equal(await chairOf(h, id, 1 * DAY), delegate!.id, 'the members are away: their delegate chairs');
    await away(h, delegate!, standIn!, 1.5 * DAY, 3 * DAY);
    assert.equal(await chairOf(h, id, 2 * DAY), null, 'nobody is there: the meeting has no chair');
    assert.equal(await chairOf(h, id, 4 * DAY), a!.id, 'everyone is back: the members rotate again, delegates aside');
  });
});

describe('recurring meetings and people who are away', () => {
  eachEngine('the worker’s meetings skip the member away at each one’s start', async (h) => {
    const [a, b, c, standIn] = await people(h, 4);
    const day = (offset: number) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC' }).format(new Date(h.now().getTime() + offset * DAY));
    const id = await board(h, {
      memberIds: [a!.id, b!.id, c!.id],
      chairRule: 'round_robin',
      recurrence: { start: `${day(1)}T10:00`, timeZone: 'UTC', rrule: 'FREQ=DAILY', durationMinutes: 30, daysAhead: 4 },
    });
    // a is away over the first meeting only.
    const first = Date.parse(`${day(1)}T10:00:00.000Z`) - h.now().getTime();
    await away(h, a!, standIn!, 0, first + HOUR);
    // Three or four meetings, depending on the time of day now.
    assert.ok((await h.tick()).meetingsMade >= 3);
    const listed = await h.request('GET', `/api/v1/meetings?boardId=${id}`);
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(
      listed.body.items.slice(0, 3).map((m: { chair: { userId: string } | null }) => m.chair?.userId ?? null),
      [b!.id, c!.id, a!.id],
    );
  });
});

describe('boardPeople', () => {
  const members = [
    { kind: 'user' as const, id: 'ann', delegate: false },
    { kind: 'team' as const, id: 'dba', delegate: false },
    { kind: 'user' as const, id: 'dee', delegate: true },
    { kind: 'team' as const, id: 'ops', delegate: true },
  ];
  const teams = new Map([
    ['dba', ['bob', 'ann', 'gone']],
    ['ops', ['ola', 'bob']],
  ]);
  const seated = new Set(['ann', 'bob', 'dee', 'ola']);
  for (const [delegates, expected] of [
    [false, ['ann', 'bob']],
    [true, ['dee', 'ola']],
  ] as const) {
    it(`${delegates ? 'delegates' : 'members'}: people in member order, each once, seated only; a member who is also a delegate is a member`, () => {
      assert.deepEqual(boardPeople(members, teams, seated, delegates), expected);
    });
  }
});
