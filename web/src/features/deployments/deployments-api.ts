import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import type { z } from 'zod';
import type { Deployment as DeploymentSchema, DeploymentListQuery } from '../../../../src/contracts/deployments';

export type { DeploymentStatus } from '../../../../src/contracts/deployments';
export type Deployment = z.infer<typeof DeploymentSchema>;

/** The query of GET /api/v1/deployments (without paging). */
export type DeploymentFilters = Partial<Omit<DeploymentListQuery, 'limit' | 'cursor'>>;

export const deploymentKeys = {
  all: ['deployments'] as const,
  list: (filters: DeploymentFilters) => ['deployments', 'list', filters] as const,
  detail: (id: string) => ['deployments', 'detail', id] as const,
  ofChange: (changeId: string) => ['deployments', 'change', changeId] as const,
};

export function useDeploymentList(filters: DeploymentFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: [...deploymentKeys.list(filters), limit],
    queryFn: ({ pageParam, signal }) => api.get<Page<Deployment>>('/api/v1/deployments', { ...filters, limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useDeployment(id: string) {
  return useQuery({
    queryKey: deploymentKeys.detail(id),
    queryFn: ({ signal }) => api.get<Deployment>(`/api/v1/deployments/${encodeURIComponent(id)}`, undefined, signal),
  });
}

/** The deployments of one change, newest first. */
export function useChangeDeployments(changeId: string, enabled = true) {
  return useQuery({
    queryKey: deploymentKeys.ofChange(changeId),
    queryFn: ({ signal }) => api.get<Page<Deployment>>('/api/v1/deployments', { changeId, limit: 50 }, signal),
    select: (page) => page.items,
    enabled,
  });
}
