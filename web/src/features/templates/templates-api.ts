import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Change, ChangeDetail, CreateChangeInput, Page } from '../../api/types';
import type {
  CreateTemplateInput as CreateTemplateInputSchema,
  Template as TemplateSchema,
  TemplateContent as TemplateContentSchema,
  TemplateDetail as TemplateDetailSchema,
  TemplateEligibility as TemplateEligibilitySchema,
  TemplateFields as TemplateFieldsSchema,
  TemplateHistory as TemplateHistorySchema,
  TemplateOutcomes as TemplateOutcomesSchema,
  TemplateSuspension as TemplateSuspensionSchema,
  TemplateVersion as TemplateVersionSchema,
  TEMPLATE_HEALTH,
  TEMPLATE_STATES,
  TEMPLATE_VERSION_STATES,
  UpdateTemplateInput as UpdateTemplateInputSchema,
} from '../../../../src/contracts/templates';
import type { ReviewScheduleItem } from '../../../../src/contracts/catalogue-learning';
import { changeKeys } from '../changes/change-api';

export type Template = z.infer<typeof TemplateSchema>;
/** GET /api/v1/templates/{id}: the entry with its suspension log, newest first. */
export type TemplateDetail = z.infer<typeof TemplateDetailSchema>;
export type TemplateFields = z.infer<typeof TemplateFieldsSchema>;
export type TemplateHistory = z.infer<typeof TemplateHistorySchema>;
export type TemplateOutcomes = z.infer<typeof TemplateOutcomesSchema>;
export type TemplateEligibility = z.output<typeof TemplateEligibilitySchema>;
export type TemplateContent = z.infer<typeof TemplateContentSchema>;
export type TemplateVersion = z.infer<typeof TemplateVersionSchema>;
export type TemplateSuspension = z.infer<typeof TemplateSuspensionSchema>;
export type TemplateState = (typeof TEMPLATE_STATES)[number];
export type TemplateVersionState = (typeof TEMPLATE_VERSION_STATES)[number];
export type TemplateHealth = (typeof TEMPLATE_HEALTH)[number];
export type CreateTemplateInput = z.input<typeof CreateTemplateInputSchema>;
export type UpdateTemplateInput = z.input<typeof UpdateTemplateInputSchema>;
export type { ReviewScheduleItem };

/** `?active=` of GET /api/v1/templates: active templates, retired ones, or all (`state` says more and wins). */
export type TemplateActivity = 'true' | 'false' | 'all';

export interface TemplateFilters {
  active?: TemplateActivity;
  /** One state of the catalogue, or all; active entries when neither this nor `active` is given. */
  state?: TemplateState | 'all';
  category?: string;
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
  versions: (id: string) => ['templates', 'versions', id] as const,
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

/**
 * When each active standard entry is next reviewed (GET /api/v1/catalogue/review-schedule), by entry id: the
 * catalogue's "Review due" column and the entry page's "Next review".
 */
export function useReviewSchedule() {
  return useQuery({
    queryKey: [...templateKeys.all, 'review-schedule'] as const,
    queryFn: ({ signal }) => api.get<{ items: ReviewScheduleItem[] }>('/api/v1/catalogue/review-schedule', undefined, signal),
    staleTime: 60_000,
    select: (data) => new Map(data.items.map((item) => [item.templateId, item])),
  });
}

/** The categories in use across the catalogue, for the list's Category filter (a catalogue, so 500 entries are plenty). */
export function useTemplateCategories() {
  return useQuery({
    queryKey: [...templateKeys.all, 'categories'] as const,
    queryFn: ({ signal }) => api.get<Page<Template>>('/api/v1/templates', { state: 'all', limit: 500 }, signal),
    staleTime: 60_000,
    select: (page) =>
      [...new Set(page.items.map((t) => t.category).filter(Boolean))]
        .sort((a, b) => a.localeCompare(b))
        .map((c) => ({ value: c, label: c })),
  });
}

export function useTemplate(id: string | null | undefined) {
  return useQuery({
    queryKey: templateKeys.detail(id ?? ''),
    queryFn: ({ signal }) => api.get<TemplateDetail>(templatePath(id!), undefined, signal),
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
    // A new entry has no suspension yet: its page starts from the answer with an empty log.
    onSuccess: (template) => afterTemplateWrite(queryClient, template.id, { ...template, suspensions: [] }),
  });
}

/**
 * After a write to entry `id`: the answer is kept when it is the whole entry (with its log), else the entry is
 * read again; the lists and the versions are read again.
 */
function afterTemplateWrite(queryClient: ReturnType<typeof useQueryClient>, id: string, template: Template | TemplateDetail) {
  if ('suspensions' in template) queryClient.setQueryData(templateKeys.detail(id), template);
  else void queryClient.invalidateQueries({ queryKey: templateKeys.detail(id) });
  void queryClient.invalidateQueries({ queryKey: templateKeys.all, predicate: (q) => q.queryKey[1] !== 'detail' });
}

/**
 * Edits a template; send the `version` you read (none answers 428, a stale one 412). An active entry's content
 * is not changed: the edit is proposed as its next version, which a change manager activates.
 */
export function useUpdateTemplate(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateTemplateInput & { version: number }) => api.patch<Template | TemplateDetail>(templatePath(id), input),
    onSuccess: (template) => afterTemplateWrite(queryClient, id, template),
  });
}

/** Every content version of entry `id`, each with how the changes pinned to it fared (GET /templates/{id}/versions). */
export function useTemplateVersions(id: string) {
  return useQuery({
    queryKey: templateKeys.versions(id),
    queryFn: ({ signal }) => api.get<{ items: TemplateVersion[] }>(`${templatePath(id)}/versions`, undefined, signal),
    select: (page) => page.items,
  });
}

/** A change manager's step on an entry: activate its pending version, suspend it, reinstate it. */
export type TemplateStep = 'activate' | 'suspend' | 'reinstate';

/** POST /templates/{id}/activate ({note}), /suspend ({reason}) or /reinstate ({reason}). */
export function useTemplateStep(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ step, text }: { step: TemplateStep; text: string }) =>
      api.post<Template | TemplateDetail>(
        `${templatePath(id)}/${step}`,
        step === 'activate' ? (text ? { note: text } : {}) : { reason: text },
      ),
    onSuccess: (template) => afterTemplateWrite(queryClient, id, template),
  });
}

/** What filing a change from an entry sends: any field of a new change but its type and template. */
export type FileFromTemplateInput = Omit<Partial<CreateChangeInput>, 'type' | 'templateId'>;

/** Files a change from entry `id` (POST /templates/{id}/changes): the change, standard or converted to normal. */
export function useFileFromTemplate(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: FileFromTemplateInput) => api.post<ChangeDetail>(`${templatePath(id)}/changes`, input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: changeKeys.all });
      void queryClient.invalidateQueries({ queryKey: templateKeys.all });
    },
  });
}
