import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Actor } from '../src/domain/actor';
import type { Role } from '../src/domain/auth/roles';
import {
  canonicalJson,
  ChainVerifier,
  diffFields,
  GENESIS_HASH,
  hashEvent,
  type AuditContent,
  type ChainedEvent,
} from '../src/domain/audit/chain';
import {
  canFire,
  missingFields,
  transitionsFrom,
  type ChangeModel,
  type LifecycleSubject,
  type TransitionDef,
} from '../src/domain/change/lifecycle';
import { derivePriority, formatChangeNumber, type Level } from '../src/domain/change/priority';

describe('derivePriority', () => {
  // The whole impact × urgency matrix: 1 is critical, 4 is low.
  const matrix: [Level, Level, number][] = [
    ['high', 'high', 1],
    ['high', 'medium', 2],
    ['medium', 'high', 2],
    ['high', 'low', 3],
    ['low', 'high', 3],
    ['medium', 'medium', 3],
    ['medium', 'low', 4],
    ['low', 'medium', 4],
    ['low', 'low', 4],
  ];
  for (const [impact, urgency, expected] of matrix) {
    it(`gives priority ${expected} to impact ${impact} and urgency ${urgency}`, () => {
      assert.equal(derivePriority(impact, urgency), expected);
    });
  }
});

describe('formatChangeNumber', () => {
  const cases: [number, string][] = [
    [1, 'CHG0000001'],
    [42, 'CHG0000042'],
    [1234567, 'CHG1234567'],
    [9999999, 'CHG9999999'],
    // Past seven digits the number grows instead of wrapping or truncating.
    [12345678, 'CHG12345678'],
  ];
  for (const [seq, expected] of cases) {
    it(`formats sequence ${seq} as ${expected}`, () => {
      assert.equal(formatChangeNumber(seq), expected);
    });
  }
});

const subject = (over: Partial<LifecycleSubject> = {}): LifecycleSubject => ({
  state: 'draft',
  requesterId: 'u-requester',
  ownerId: 'u-owner',
  implementerId: 'u-implementer',
  assignmentTeamId: 't-ops',
  ...over,
});

describe('missingFields', () => {
  const cases: { name: string; values: Record<string, unknown>; missing: string[] }[] = [
    { name: 'counts null as missing', values: { title: null }, missing: ['title'] },
    { name: 'counts an absent field as missing', values: {}, missing: ['title'] },
    { name: "counts '' as missing", values: { title: '' }, missing: ['title'] },
    { name: 'counts a whitespace-only string as missing', values: { title: '   ' }, missing: ['title'] },
    { name: 'counts an empty list as missing', values: { ciIds: [] }, missing: ['ciIds'] },
    { name: 'accepts a non-empty string', values: { title: 'Upgrade' }, missing: [] },
    { name: 'accepts a non-empty list', values: { ciIds: ['ci-1'] }, missing: [] },
    { name: 'accepts zero and false, which are values', values: { count: 0, flag: false }, missing: [] },
    {
      name: 'lists every missing field in the order they are required',
      values: { title: 'x', description: ' ', ciIds: [], plannedStart: null, backoutPlan: 'restore' },
      missing: ['description', 'ciIds', 'plannedStart'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const required = Object.keys(c.values).length > 0 ? Object.keys(c.values) : ['title'];
      assert.deepEqual(missingFields(subject(c.values), required), c.missing);
    });
  }

  it('requires nothing when the state requires nothing', () => {
    assert.deepEqual(missingFields(subject({ title: null }), []), []);
  });
});

const actor = (roles: Role[], over: Partial<Actor> = {}): Actor => ({
  userId: 'u-someone',
  email: 'someone@example.com',
  name: 'Someone',
  roles: roles.map((role) => ({ role, scopeType: null, scopeId: null })),
  teamIds: [],
  requestId: 'r-1',
  via: 'token',
  ...over,
});

const transition = (over: Partial<TransitionDef> = {}): TransitionDef => ({
  from: ['draft'],
  to: 'assess',
  label: 'Submit',
  roles: [],
  relations: [],
  ...over,
});

describe('canFire', () => {
  const cases: { name: string; t: TransitionDef; a: Actor; s?: LifecycleSubject; allowed: boolean }[] = [
    {
      name: 'allows a role the transition names',
      t: transition({ roles: ['change_manager'] }),
      a: actor(['change_manager']),
      allowed: true,
    },
    {
      name: 'refuses a role the transition does not name',
      t: transition({ roles: ['change_manager'] }),
      a: actor(['requester', 'approver']),
      allowed: false,
    },
    {
      name: 'allows an admin any transition, even one naming no role',
      t: transition({ relations: ['owner'] }),
      a: actor(['admin']),
      allowed: true,
    },
    {
      name: 'refuses an actor with no roles and no relation',
      t: transition({ roles: ['change_manager'], relations: ['requester'] }),
      a: actor([]),
      allowed: false,
    },
    {
      name: 'allows the requester when the transition names requester',
      t: transition({ relations: ['requester'] }),
      a: actor([], { userId: 'u-requester' }),
      allowed: true,
    },
    {
      name: 'refuses the requester when only the owner is named',
      t: transition({ relations: ['owner'] }),
      a: actor([], { userId: 'u-requester' }),
      allowed: false,
    },
    {
      name: 'allows the owner when the transition names owner',
      t: transition({ relations: ['owner'] }),
      a: actor([], { userId: 'u-owner' }),
      allowed: true,
    },
    {
      name: 'allows the implementer when the transition names implementer',
      t: transition({ relations: ['implementer'] }),
      a: actor([], { userId: 'u-implementer' }),
      allowed: true,
    },
    {
      name: 'refuses the implementer when only the requester is named',
      t: transition({ relations: ['requester'] }),
      a: actor([], { userId: 'u-implementer' }),
      allowed: false,
    },
    {
      name: 'allows a member of the assignment team',
      t: transition({ relations: ['assignment_team'] }),
      a: actor([], { teamIds: ['t-other', 't-ops'] }),
      allowed: true,
    },
    {
      name: 'refuses someone outside the assignment team',
      t: transition({ relations: ['assignment_team'] }),
      a: actor([], { teamIds: ['t-other'] }),
      allowed: false,
    },
    {
      name: 'refuses assignment_team when the change has no assignment team',
      t: transition({ relations: ['assignment_team'] }),
      a: actor([], { teamIds: ['t-ops'] }),
      s: subject({ assignmentTeamId: null }),
      allowed: false,
    },
    {
      name: 'refuses owner when the change has no owner, whoever asks',
      t: transition({ relations: ['owner'] }),
      a: actor([], { userId: 'u-owner' }),
      s: subject({ ownerId: null }),
      allowed: false,
    },
    {
      name: 'allows a relation even without any role',
      t: transition({ roles: ['change_manager'], relations: ['requester'] }),
      a: actor([], { userId: 'u-requester' }),
      allowed: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(canFire(c.t, c.a, c.s ?? subject()), c.allowed);
    });
  }
});

describe('transitionsFrom', () => {
  const model: ChangeModel = {
    type: 'normal',
    label: 'Normal',
    initial: 'draft',
    states: ['draft', 'assess', 'closed', 'cancelled'].map((id) => ({
      id,
      label: id,
      requires: [],
      final: id === 'closed' || id === 'cancelled',
    })),
    transitions: [
      transition({ from: ['draft'], to: 'assess' }),
      transition({ from: ['assess'], to: 'closed' }),
      transition({ from: ['draft', 'assess'], to: 'cancelled' }),
    ],
  };
  const cases: [string, string[]][] = [
    ['draft', ['assess', 'cancelled']],
    ['assess', ['closed', 'cancelled']],
    ['closed', []],
    ['nowhere', []],
  ];
  for (const [state, targets] of cases) {
    it(`lists the transitions leaving ${state} in bundle order: [${targets.join(', ')}]`, () => {
      assert.deepEqual(
        transitionsFrom(model, state).map((t) => t.to),
        targets,
      );
    });
  }
});

describe('canonicalJson', () => {
  const cases: { name: string; value: unknown; json: string }[] = [
    { name: 'sorts object keys', value: { b: 1, a: 2, c: 3 }, json: '{"a":2,"b":1,"c":3}' },
    {
      name: 'sorts keys at every depth',
      value: { z: { y: 1, x: [{ b: 1, a: 2 }] }, a: null },
      json: '{"a":null,"z":{"x":[{"a":2,"b":1}],"y":1}}',
    },
    { name: 'keeps array order', value: [3, 1, 2], json: '[3,1,2]' },
    { name: 'drops undefined object members', value: { a: undefined, b: 1 }, json: '{"b":1}' },
    { name: 'writes undefined array items as null', value: [1, undefined, 2], json: '[1,null,2]' },
    { name: 'writes a top-level undefined as null', value: undefined, json: 'null' },
    { name: 'escapes strings like JSON', value: { 'k"ey': 'line\nbreak' }, json: '{"k\\"ey":"line\\nbreak"}' },
    { name: 'sorts keys by code unit, uppercase before lowercase', value: { b: 1, B: 2, a: 3 }, json: '{"B":2,"a":3,"b":1}' },
    { name: 'writes scalars as JSON does', value: { n: 1.5, t: true, s: 'x' }, json: '{"n":1.5,"s":"x","t":true}' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(canonicalJson(c.value), c.json);
    });
  }

  it('serialises the same content to the same bytes whatever the key insertion order', () => {
    assert.equal(canonicalJson({ a: 1, b: { c: 2, d: 3 } }), canonicalJson({ b: { d: 3, c: 2 }, a: 1 }));
  });
});

const content = (seq: number, over: Partial<AuditContent> = {}): AuditContent => ({
  seq,
  at: `2026-01-01T00:00:0${seq % 10}.000Z`,
  actorId: 'u-1',
  actorName: 'Ada',
  action: 'change.created',
  entityType: 'change',
  entityId: `c-${seq}`,
  data: { title: `change ${seq}`, nested: { b: 1, a: 2 } },
  ...over,
});

/** A correctly chained list of `n` events starting at the genesis hash. */
function chain(n: number): ChainedEvent[] {
  const out: ChainedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const c = content(seq);
    const hash = hashEvent(prevHash, c);
    out.push({ ...c, prevHash, hash });
    prevHash = hash;
  }
  return out;
}

function verify(events: ChainedEvent[]) {
  const v = new ChainVerifier();
  for (const e of events) if (!v.push(e)) break;
  return v.result();
}

describe('hashEvent', () => {
  it('is a sha256 hex digest', () => {
    assert.match(hashEvent(GENESIS_HASH, content(1)), /^[0-9a-f]{64}$/);
  });

  it('gives the same hash to the same content whatever the key order of data', () => {
    const a = content(1, { data: { x: 1, y: { p: 1, q: 2 } } });
    const b = content(1, { data: { y: { q: 2, p: 1 }, x: 1 } });
    assert.equal(hashEvent(GENESIS_HASH, a), hashEvent(GENESIS_HASH, b));
  });

  const fieldEdits: [string, Partial<AuditContent>][] = [
    ['seq', { seq: 2 }],
    ['at', { at: '2027-01-01T00:00:00.000Z' }],
    ['actorId', { actorId: 'u-2' }],
    ['actorName', { actorName: 'Eve' }],
    ['action', { action: 'change.updated' }],
    ['entityType', { entityType: 'ci' }],
    ['entityId', { entityId: 'c-other' }],
    ['data', { data: { title: 'change 1', nested: { b: 1, a: 3 } } }],
  ];
  for (const [field, edit] of fieldEdits) {
    it(`changes when ${field} changes`, () => {
      assert.notEqual(hashEvent(GENESIS_HASH, { ...content(1), ...edit }), hashEvent(GENESIS_HASH, content(1)));
    });
  }

  it('changes when the previous hash changes', () => {
    assert.notEqual(hashEvent('f'.repeat(64), content(1)), hashEvent(GENESIS_HASH, content(1)));
  });

  it('ignores fields outside the hashed content, such as prevHash and hash on the event itself', () => {
    const [e] = chain(1);
    assert.equal(hashEvent(GENESIS_HASH, { ...e!, hash: 'bogus', prevHash: 'bogus' } as AuditContent), e!.hash);
  });
});

describe('ChainVerifier', () => {
  it('accepts an intact chain and reports the last event', () => {
    const events = chain(5);
    assert.deepEqual(verify(events), { ok: true, checked: 5, lastSeq: 5, lastHash: events[4]!.hash });
  });

  it('accepts an empty chain with nothing checked', () => {
    assert.deepEqual(verify([]), { ok: true, checked: 0, lastSeq: 0, lastHash: GENESIS_HASH });
  });

  it('rejects a trail whose first events were cut off, even when the rest links up', () => {
    const events = chain(6).slice(2);
    const verdict = verify(events);
    assert.equal(verdict.ok, false);
    assert.equal(verdict.checked, 0);
    assert.ok(!verdict.ok && verdict.brokenSeq === 3 && /earlier events are missing/.test(verdict.reason));
  });

  const broken: { name: string; tamper: (events: ChainedEvent[]) => ChainedEvent[]; brokenSeq: number; checked: number; reason: RegExp }[] =
    [
      {
        name: 'rejects an event whose content was altered',
        tamper: (ev) => ev.map((e) => (e.seq === 3 ? { ...e, data: { ...e.data, title: 'edited' } } : e)),
        brokenSeq: 3,
        checked: 2,
        reason: /altered/,
      },
      {
        name: 'rejects an event whose actor was altered',
        tamper: (ev) => ev.map((e) => (e.seq === 2 ? { ...e, actorName: 'Mallory' } : e)),
        brokenSeq: 2,
        checked: 1,
        reason: /altered/,
      },
      {
        name: 'rejects an event whose prevHash does not match the event before it, even when its own hash is consistent',
        tamper: (ev) =>
          ev.map((e) => {
            if (e.seq !== 4) return e;
            const prevHash = 'a'.repeat(64);
            return { ...e, prevHash, hash: hashEvent(prevHash, e) };
          }),
        brokenSeq: 4,
        checked: 3,
        reason: /prevHash/,
      },
      {
        name: 'rejects a first event 1 that does not start from the genesis hash',
        tamper: (ev) =>
          ev.map((e) => {
            if (e.seq !== 1) return e;
            const prevHash = 'b'.repeat(64);
            return { ...e, prevHash, hash: hashEvent(prevHash, e) };
          }),
        brokenSeq: 1,
        checked: 0,
        reason: /genesis/,
      },
      {
        name: 'rejects a gap where an event is missing',
        tamper: (ev) => ev.filter((e) => e.seq !== 3),
        brokenSeq: 4,
        checked: 2,
        reason: /expected event 3 but found 4/,
      },
      {
        name: 'rejects events out of order',
        tamper: (ev) => [ev[0]!, ev[2]!, ev[1]!, ev[3]!, ev[4]!],
        brokenSeq: 3,
        checked: 1,
        reason: /expected event 2 but found 3/,
      },
      {
        name: 'rejects a rewritten tail whose hashes were recomputed but whose link to the untouched head was not',
        tamper: (ev) => {
          const head = ev.slice(0, 2);
          let prevHash = 'c'.repeat(64);
          const tail = ev.slice(2).map((e) => {
            const rewritten = { ...e, actorName: 'Mallory' };
            const hash = hashEvent(prevHash, rewritten);
            const out = { ...rewritten, prevHash, hash };
            prevHash = hash;
            return out;
          });
          return [...head, ...tail];
        },
        brokenSeq: 3,
        checked: 2,
        reason: /prevHash/,
      },
    ];
  for (const c of broken) {
    it(c.name, () => {
      const verdict = verify(c.tamper(chain(5)));
      assert.equal(verdict.ok, false);
      if (verdict.ok) return;
      assert.equal(verdict.brokenSeq, c.brokenSeq);
      assert.equal(verdict.checked, c.checked);
      assert.match(verdict.reason, c.reason);
    });
  }

  it('stops at the first broken event and refuses everything after it', () => {
    const events = chain(4);
    const v = new ChainVerifier();
    assert.equal(v.push(events[0]!), true);
    assert.equal(v.push({ ...events[1]!, action: 'tampered' }), false);
    assert.equal(v.push(events[2]!), false);
    assert.deepEqual(v.result(), {
      ok: false,
      checked: 1,
      brokenSeq: 2,
      reason: 'its content does not match its hash (the event was altered)',
    });
  });
});

describe('diffFields', () => {
  const cases: {
    name: string;
    before: Record<string, unknown>;
    after: Record<string, unknown>;
    fields?: string[];
    diff: Record<string, { from: unknown; to: unknown }>;
  }[] = [
    { name: 'reports nothing for equal records', before: { a: 1, b: 'x' }, after: { a: 1, b: 'x' }, diff: {} },
    { name: 'reports a changed scalar with from and to', before: { a: 1 }, after: { a: 2 }, diff: { a: { from: 1, to: 2 } } },
    { name: 'reports a field that appears as from null', before: {}, after: { a: 'new' }, diff: { a: { from: null, to: 'new' } } },
    { name: 'treats undefined and null as the same', before: { a: undefined }, after: { a: null }, diff: {} },
    { name: 'compares objects by content, not key order', before: { o: { x: 1, y: 2 } }, after: { o: { y: 2, x: 1 } }, diff: {} },
    {
      name: 'reports a changed nested value',
      before: { o: { x: 1 } },
      after: { o: { x: 2 } },
      diff: { o: { from: { x: 1 }, to: { x: 2 } } },
    },
    { name: 'compares arrays in order', before: { l: [1, 2] }, after: { l: [2, 1] }, diff: { l: { from: [1, 2], to: [2, 1] } } },
    {
      name: 'looks only at the listed fields',
      before: { a: 1, b: 1 },
      after: { a: 2, b: 2 },
      fields: ['b'],
      diff: { b: { from: 1, to: 2 } },
    },
    {
      name: 'reports a listed field that was removed as to null',
      before: { a: 1 },
      after: {},
      fields: ['a'],
      diff: { a: { from: 1, to: null } },
    },
    { name: 'without a field list, looks at the fields of the after record only', before: { gone: 1 }, after: {}, diff: {} },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(diffFields(c.before, c.after, c.fields), c.diff);
    });
  }
});
