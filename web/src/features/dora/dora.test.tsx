import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import type { DoraMetrics } from './dora-api';
import { DoraPage } from './dora-page';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const records = (ids: string[], count = ids.length) => ({ count, ids, list: '/api/v1/metrics/dora/records?figure=x' });

/** DevLake's worked example: 5 deployments, 2 of them with incidents (40 %); deployed 10:00, restored 11:00 (1 h). */
const metrics: DoraMetrics = {
  scope: {
    service: { id: 'svc_pay', name: 'payments' },
    team: null,
    environment: null,
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
    grain: 'week',
  },
  deploymentFrequency: {
    value: 1.5,
    unit: 'deployment_days_per_week',
    numerator: 5,
    denominator: 5,
    deployments: 5,
    medianDeploymentDaysPerMonth: 5,
    rating: 'high',
    records: records(['d1', 'd2', 'd3', 'd4', 'd5']),
  },
  leadTimeForChanges: {
    value: 90_000,
    p75: 172_800,
    unit: 'seconds',
    denominator: 3,
    rating: 'insufficient_data',
    records: records(['d1', 'd2']),
  },
  changeFailureRate: {
    value: 0.4,
    unit: 'ratio',
    numerator: 2,
    denominator: 5,
    explicit: 1,
    inferred: 1,
    incidents: { explicit: 1, inferred: 1 },
    rating: 'low',
    records: records(['d2', 'd4']),
    inferredRecords: records(['d4']),
  },
  failedDeploymentRecoveryTime: {
    value: 3600,
    p75: 3600,
    unit: 'seconds',
    numerator: 2,
    denominator: 2,
    rating: 'elite',
    records: records(['d2', 'd4']),
  },
  series: [
    {
      start: '2026-11-02T00:00:00.000Z',
      deployments: 3,
      deploymentDays: 3,
      finished: 3,
      failed: 1,
      changeFailureRate: 0.333,
      leadTimeMedianSeconds: 90_000,
      recoveryMedianSeconds: 3600,
    },
    {
      start: '2026-11-09T00:00:00.000Z',
      deployments: 2,
      deploymentDays: 2,
      finished: 2,
      failed: 1,
      changeFailureRate: 0.5,
      leadTimeMedianSeconds: null,
      recoveryMedianSeconds: 3600,
    },
  ],
  minimums: { deployments: 5, pullRequests: 5, failures: 1 },
  inference: true,
};

describe('DoraPage', { timeout: 20_000 }, () => {
  it('shows each figure with its value, what it counts, its rating or "insufficient data", and the records behind it', async () => {
    const server = fakeServer([
      { path: '/api/v1/metrics/dora', body: metrics },
      { path: '/api/v1/services', body: { items: [{ id: 'svc_pay', name: 'payments' }], nextCursor: null } },
      { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<DoraPage />, { path: '/dora?serviceId=svc_pay&environment=production', route: '/dora', me: adminMe });

    const cfr = await screen.findByRole('region', { name: 'Change failure rate' }, LOAD);
    expect(within(cfr).getByTestId('dora-value').textContent).toBe('40 %');
    expect(cfr.textContent).toContain(
      '2 of 5 production deployments failed: 1 through their result, change or a linked incident, 1 through an incident attributed by inference.',
    );
    expect(within(cfr).getByTestId('dora-rating').textContent).toBe('Low');
    expect(within(cfr).getByRole('link', { name: 'See the 2 failed deployments' }).getAttribute('href')).toBe('/deployments?ids=d2,d4');
    expect(within(cfr).getByRole('link', { name: 'See the 1 inferred failures' }).getAttribute('href')).toBe('/deployments?ids=d4');

    const lead = screen.getByRole('region', { name: 'Lead time for changes' });
    expect(within(lead).getByTestId('dora-value').textContent).toBe('1 d 1 h');
    expect(within(lead).getByTestId('dora-rating').textContent).toBe('Insufficient data');
    const recovery = screen.getByRole('region', { name: 'Failed deployment recovery time' });
    expect(within(recovery).getByTestId('dora-value').textContent).toBe('1 h');
    const frequency = screen.getByRole('region', { name: 'Deployment frequency' });
    expect(frequency.textContent).toContain('5 deployment days over 5 weeks; 5 deployments.');

    // The trend charts' points, as a table for those who do not see the charts.
    const trends = screen.getByRole('table', { name: 'Trends by week', hidden: true });
    expect(within(trends).getAllByRole('row', { hidden: true })).toHaveLength(3);
    expect(trends.textContent).toContain('33.3');
    expect(trends.textContent).toContain('no data');

    await waitFor(() => expect(server.calls.some((c) => c.url.startsWith('/api/v1/metrics/dora'))).toBe(true));
    const query = server.calls.find((c) => c.url.startsWith('/api/v1/metrics/dora'))!.url;
    expect(Object.fromEntries(new URL(query, 'http://x').searchParams)).toEqual({ serviceId: 'svc_pay', environment: 'production' });
  });
});
