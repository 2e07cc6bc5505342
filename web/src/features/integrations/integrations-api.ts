import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api, apiRequest } from '../../api/client';
import type {
  ArgoCdSettingsInput,
  ArgoSyncWindows,
  GitHubSettingsInput,
  GitLabFreezeSyncResult,
  GitLabSettingsInput,
  IntegrationKind,
  IntegrationSettings,
} from '../../../../src/contracts/integrations';

export type { ArgoSyncWindows, GitLabFreezeSyncResult, IntegrationKind, IntegrationSettings };
export type SettingsInputOf = {
  github: z.input<typeof GitHubSettingsInput>;
  gitlab: z.input<typeof GitLabSettingsInput>;
  argocd: z.input<typeof ArgoCdSettingsInput>;
};

/** A settings form: the saved settings, and what to do with a secret Cabinet generated on save (show it once). */
export interface SettingsFormProps {
  settings: IntegrationSettings;
  onGenerated: (generated: Record<string, string> | undefined) => void;
}

export const integrationPath = (kind: IntegrationKind) => `/api/v1/integrations/${kind}`;
/** The Argo CD AppProject `syncWindows` export; `?format=yaml` answers YAML to paste or download. */
export const ARGO_SYNC_WINDOWS_PATH = '/api/v1/integrations/argocd/sync-windows';

export const integrationKeys = {
  settings: (kind: IntegrationKind) => ['integrations', kind] as const,
  argoWindows: ['integrations', 'argocd', 'sync-windows'] as const,
};

export function useIntegrationSettings(kind: IntegrationKind) {
  return useQuery({
    queryKey: integrationKeys.settings(kind),
    queryFn: ({ signal }) => api.get<IntegrationSettings>(integrationPath(kind), undefined, signal),
  });
}

/** Saves the settings; the answer holds any secret Cabinet generated, once (`generated`). */
export function useSaveIntegrationSettings<K extends IntegrationKind>(kind: K) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: SettingsInputOf[K]) => apiRequest<IntegrationSettings>('PUT', integrationPath(kind), { body: input }),
    onSuccess: (saved) => {
      // NOTE (security): the generated secret stays in the mutation's answer only, never in the cache.
      const { generated: _shownOnce, ...rest } = saved;
      client.setQueryData(integrationKeys.settings(kind), rest);
      if (kind === 'argocd') void client.invalidateQueries({ queryKey: integrationKeys.argoWindows });
    },
  });
}

export function useArgoSyncWindows(enabled: boolean) {
  return useQuery({
    queryKey: integrationKeys.argoWindows,
    queryFn: ({ signal }) => api.get<ArgoSyncWindows>(ARGO_SYNC_WINDOWS_PATH, undefined, signal),
    enabled,
  });
}

export function useSyncGitLabFreezes() {
  return useMutation({
    mutationFn: (projectId?: number) =>
      api.post<GitLabFreezeSyncResult>('/api/v1/integrations/gitlab/freeze-periods/sync', projectId ? { projectId } : {}),
  });
}
