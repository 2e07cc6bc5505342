import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { DoraMetrics, DoraQuery } from '../../../../src/contracts/dora';

export type { DoraMetrics };
/** The query of GET /api/v1/metrics/dora. */
export type DoraFilters = Partial<DoraQuery>;

export function useDoraMetrics(filters: DoraFilters) {
  return useQuery({
    queryKey: ['dora', filters],
    queryFn: ({ signal }) => api.get<DoraMetrics>('/api/v1/metrics/dora', filters, signal),
    placeholderData: keepPreviousData,
  });
}
