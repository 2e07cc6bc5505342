import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Change, Page } from '../../api/types';
import type {
  CreateTemplateInput as CreateTemplateInputSchema,
  Template as TemplateSchema,
  TemplateFields as TemplateFieldsSchema,
  TemplateHistory as TemplateHistorySchema,
  UpdateTemplateInput as UpdateTemplateInputSchema,
} from '../../../../src/contracts/templates';
import { changeKeys } from '../changes/change-api';

export type Template = z.infer<typeof TemplateSchema>;
export type TemplateFields = z.infer<typeof TemplateFieldsSchema>;
export type TemplateHistory = z.infer<typeof TemplateHistorySchema>;
export type CreateTemplateInput = z.input<typeof CreateTemplateInputSchema>;
export type UpdateTemplateInput = z.input<typeof UpdateTemplateInputSchema>;

/** `?active=` of GET /api/v1/templates: active templates (the server's default), retired ones, or all. */
export type TemplateActivity = 'true' | 'false' | 'all';

export interface TemplateFilters {
  active?: TemplateActivity;
  type?: string;
  q?: string;
  /** The order (`sort=type`); by name when absent. */
  sort?: string;
}

export const templateKeys = {
  all: ['templates'] as const,
  list: (filters: TemplateFilters) => ['templates', 'list', filters] as const,
  options: ['templates', 'options'] as const,
  detail: (id: string) => ['templates', 'detail', id] as const,
};

const templatePath = (id: string) => `/api/v1/templates/${encodeURIComponent(id)}`;

export function useTemplateList(filters: TemplateFilters, limit = 100) {
  return useInfiniteQuery({
    queryKey: [...templateKeys.list(filters), limit],
    queryFn: ({ pageParam, signal }) => api.get<Page<Template>>('/api/v1/templates', { ...filters, limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** The active templates for the "Start from a template" picker (a catalogue, so the first 500 are plenty). */
export function useTemplateOptions(enabled = true) {
  return useQuery({
    queryKey: templateKeys.options,
    queryFn: ({ signal }) => api.get<Page<Template>>('/api/v1/templates', { active: 'true', limit: 500 }, signal),
    staleTime: 60_000,
    enabled,
  });
}

export function useTemplate(id: string | null | undefined) {
  return useQuery({
    queryKey: templateKeys.detail(id ?? ''),
    queryFn: ({ signal }) => api.get<Template>(templatePath(id!), undefined, signal),
    enabled: !!id,
  });
}

/** The newest `limit` changes made from template `templateId` (GET /api/v1/changes?templateId=), newest first. */
export function useTemplateChanges(templateId: string, limit = 20) {
  return useQuery({
    // NOTE: kept under the changes' list key, so that creating or moving a change refreshes it too.
    queryKey: [...changeKeys.all, 'list', { templateId }, limit] as const,
    queryFn: ({ signal }) => api.get<Page<Change>>('/api/v1/changes', { templateId, limit }, signal),
    select: (page) => ({ items: page.items, more: page.nextCursor !== null }),
  });
}

export function useCreateTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateTemplateInput) => api.post<Template>('/api/v1/templates', input),
    onSuccess: (template) => {
      queryClient.setQueryData(templateKeys.detail(template.id), template);
      void queryClient.invalidateQueries({ queryKey: templateKeys.all, predicate: (q) => q.queryKey[1] !== 'detail' });
    },
  });
}

/** Edits a template; send the `version` you read (none answers 428, a stale one 412). */
export function useUpdateTemplate(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateTemplateInput & { version: number }) => api.patch<Template>(templatePath(id), input),
    onSuccess: (template) => {
      queryClient.setQueryData(templateKeys.detail(id), template);
      void queryClient.invalidateQueries({ queryKey: templateKeys.all, predicate: (q) => q.queryKey[1] !== 'detail' });
    },
  });
}
