import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WebhookEvent } from '../../../../src/contracts/communication';
import type {
  CreateWebhookInput,
  TestWebhookInput,
  UpdateWebhookInput,
  Webhook,
  WebhookAllowList,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookFormat,
  WebhookList,
  WebhookTestResult,
} from '../../../../src/contracts/webhooks';
import { api, apiRequest } from '../../api/client';

export type {
  CreateWebhookInput,
  UpdateWebhookInput,
  Webhook,
  WebhookAllowList,
  WebhookDelivery,
  WebhookEvent,
  WebhookFormat,
  WebhookTestResult,
};

const keys = {
  all: ['webhooks'] as const,
  list: ['webhooks', 'list'] as const,
  allowList: ['webhooks', 'allow-list'] as const,
  deliveries: (id: string) => ['webhooks', id, 'deliveries'] as const,
};

const path = (id: string) => `/api/v1/webhooks/${encodeURIComponent(id)}`;

export function useWebhooks() {
  return useQuery({ queryKey: keys.list, queryFn: ({ signal }) => api.get<WebhookList>('/api/v1/webhooks', undefined, signal) });
}

export function useCreateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateWebhookInput) => api.post<Webhook>('/api/v1/webhooks', input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.list }),
  });
}

export function useUpdateWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: UpdateWebhookInput }) => api.patch<Webhook>(path(id), input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.list }),
  });
}

export function useDeleteWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(path(id)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.list }),
  });
}

/** A test message to a URL not saved yet: what the receiver answers. */
export function useTestWebhookUrl() {
  return useMutation({ mutationFn: (input: TestWebhookInput) => api.post<WebhookTestResult>('/api/v1/webhooks/test', input) });
}

/** A test message to a saved webhook. */
export function useTestWebhook() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<WebhookTestResult>(`${path(id)}/test`),
    onSuccess: (_r, id) => queryClient.invalidateQueries({ queryKey: keys.deliveries(id) }),
  });
}

/** A webhook's delivery log, newest first, a page at a time. */
export function useWebhookDeliveries(id: string, limit = 20) {
  return useInfiniteQuery({
    queryKey: [...keys.deliveries(id), limit],
    queryFn: ({ pageParam, signal }) => api.get<WebhookDeliveryList>(`${path(id)}/deliveries`, { limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useAllowList() {
  return useQuery({
    queryKey: keys.allowList,
    queryFn: ({ signal }) => api.get<WebhookAllowList>('/api/v1/webhooks/allow-list', undefined, signal),
  });
}

export function useSetAllowList() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (entries: string[]) => apiRequest<WebhookAllowList>('PUT', '/api/v1/webhooks/allow-list', { body: { entries } }),
    onSuccess: (data) => queryClient.setQueryData(keys.allowList, data),
  });
}
