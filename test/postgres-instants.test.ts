import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pgInstantToIso } from '../src/db/dialect/postgres';

describe('PostgreSQL instants read as ISO strings', () => {
  const cases: [string, string][] = [
    ['2026-11-23 04:00:00+00', '2026-11-23T04:00:00.000Z'],
    ['2026-11-23 04:00:00.123456+00', '2026-11-23T04:00:00.123Z'],
    ['2026-11-23 04:00:00.5+05:30', '2026-11-22T22:30:00.500Z'],
    ['2026-11-23 04:00:00-03', '2026-11-23T07:00:00.000Z'],
    ['2026-03-29 01:30:00+01', '2026-03-29T00:30:00.000Z'],
    // Local mean time offsets carry seconds.
    ['1890-01-01 00:00:00+00:09:21', '1889-12-31T23:50:39.000Z'],
    // `timestamp` without a zone is UTC.
    ['2026-11-23 04:00:00', '2026-11-23T04:00:00.000Z'],
    ['2026-11-23 04:00:00.999999', '2026-11-23T04:00:00.999Z'],
  ];
  for (const [text, iso] of cases) it(`${text} → ${iso}`, () => assert.equal(pgInstantToIso(text), iso));

  it('reads an early year as itself, not as 19xx', () => assert.equal(pgInstantToIso('0050-06-01 00:00:00+00'), '0050-06-01T00:00:00.000Z'));
});

describe('PostgreSQL instants: the UTC fast path agrees with the general one', () => {
  it('for whole seconds and every fraction length', () => {
    for (const fraction of ['', '.1', '.12', '.123', '.1234', '.123456']) {
      const text = `2026-02-28 23:59:59${fraction}+00`;
      assert.equal(pgInstantToIso(text), new Date(`2026-02-28T23:59:59${fraction.slice(0, 4)}Z`).toISOString(), text);
    }
  });
});
