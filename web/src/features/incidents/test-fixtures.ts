/** Sample API answers for the incident tests (only tests import this file). */
import type { Incident } from './incidents-api';

export function sampleIncident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'inc_1',
    number: 'INC0000001',
    title: 'Checkout times out',
    description: 'Card payments time out for some customers.',
    priority: 2,
    state: 'in_progress',
    openedAt: '2026-11-20T09:00:00.000Z',
    resolvedAt: null,
    closedAt: null,
    ciIds: ['ci_db'],
    cis: [{ id: 'ci_db', name: 'orders-db' }],
    service: null,
    causedByChange: { id: 'chg_1', number: 'CHG0000001', title: 'Upgrade the orders database' },
    source: 'cabinet',
    external: {},
    version: 1,
    createdBy: 'u_alice',
    createdAt: '2026-11-20T09:05:00.000Z',
    updatedAt: '2026-11-20T09:05:00.000Z',
    ...over,
  };
}
