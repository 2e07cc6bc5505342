import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CelCompileError, compileExpression } from '../src/policy/cel';
import { buildChangeContext, CHANGE_CONTEXT_SHAPE, type ContextFieldType } from '../src/policy/context';

/** The CEL type of a value as the context holds it (ints are BigInt, rates are numbers). */
function celType(value: unknown): ContextFieldType | string {
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'double';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return 'list<string>';
  return typeof value;
}

const context = buildChangeContext({
  change: {
    type: 'normal', state: 'draft', title: 't', impact: 'medium', urgency: 'medium', priority: 3, plannedStart: '2026-03-02T10:00:00Z', plannedEnd: '2026-03-02T11:00:00Z',
    implementationPlan: 'a', testPlan: 'b', backoutPlan: 'c', backoutTested: true, assignmentTeamHandle: 'dba', freezeException: false, templateName: 'Patch',
  },
  cis: [{ name: 'db-1', type: 'database', environment: 'production', criticality: 'high', tags: ['pci'], serviceName: 'Payments' }],
  services: [{ name: 'Payments', tier: 1, tags: ['pci'], provider: 'aws', ownerTeamHandle: 'dba' }],
  requester: { email: 'a@example.com', name: 'A', roles: ['requester'], teamHandles: ['dba'] },
  history: { teamChanges90d: 4, teamFailed90d: 1, ciChanges90d: 2, ciFailed90d: 0, templateChanges90d: 1, templateFailed90d: 0, ciIncidents30d: 2 },
  businessHours: { timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: 8, end: 18 },
  now: new Date('2026-03-01T00:00:00Z'),
});

describe('the declared shape of the change context', () => {
  it('has every variable and field that buildChangeContext builds, with the type it builds, and nothing more', () => {
    assert.deepEqual(Object.keys(CHANGE_CONTEXT_SHAPE).sort(), Object.keys(context).sort());
    for (const [name, shape] of Object.entries(CHANGE_CONTEXT_SHAPE)) {
      const value = context[name];
      assert.equal(Array.isArray(value), shape.list, `${name} is ${shape.list ? '' : 'not '}a list`);
      const object = (shape.list ? (value as Record<string, unknown>[])[0] : value) as Record<string, unknown>;
      const built = Object.fromEntries(Object.entries(object).map(([k, v]) => [k, celType(v)]));
      assert.deepEqual(built, { ...shape.fields }, `the fields of ${name}`);
    }
  });
});

describe('CEL expressions checked against the shape', () => {
  const reason = (source: string, scope: 'change' | 'approvals' = 'change') => {
    try {
      compileExpression(source, 'bool', scope);
      return null;
    } catch (err) {
      assert.ok(err instanceof CelCompileError);
      return `${err.message}${err.column ? ` @${err.column}` : ''}`;
    }
  };

  it('refuses a field no variable has, inside a macro too, pointing at it and naming the likely field', () => {
    assert.equal(reason('services.exists(s, s.tierr == 1)'), 'unknown field "tierr" (did you mean "tier"?) @22');
    assert.equal(reason('change.type == "normal" && change.hasBackOut'), 'unknown field "hasBackOut" (docs/policy.md, "The change context", lists every field) @35');
    assert.equal(reason('cis.all(c, c.criticalityRank >= 2) && time.weekdya == 6'), 'unknown field "weekdya" (did you mean "weekday"?) @44');
  });

  it("refuses an operation the field's type does not allow, and a result that is not true or false", () => {
    assert.match(reason('change.priority == "high"')!, /^no such overload: int == string/);
    assert.equal(reason('change.ciCount'), 'must be true or false, but gives int');
  });

  it('lets approval rules read the risk, and tells a risk rule that it cannot', () => {
    assert.equal(reason('risk.level == "high" && risk.score > 50', 'approvals'), null);
    assert.match(reason('risk.level == "high"')!, /^Unknown variable: risk \(only approval rules and SLA targets see the risk\)/);
  });

  it('accepts what the documented examples do', () => {
    for (const source of [
      'cis.exists(c, c.type == "database" && c.environment == "production")',
      'services.exists(s, s.tier <= 2 && "pci" in s.tags)',
      'time.scheduled && !time.businessHours && time.weekend',
      'history.teamChanges90d >= 5 && history.teamFailureRate > 0.15',
      'min(size(cis) * 3, 15) > 3',
      'has(change.template) && change.template != ""',
      '"dba" in requester.teams',
    ]) {
      assert.equal(reason(source), null, source);
    }
  });

  it('still evaluates on plain maps, as the context is built', () => {
    assert.equal(compileExpression('services.exists(s, s.tier == 1) && change.priority == 3', 'bool').evaluate(context), true);
  });
});
