import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { ApiError, api } from '../../api/client';
import type { Page, Policy } from '../../api/types';
import type {
  AppliedPolicy as AppliedPolicySchema,
  PolicyPreview as PolicyPreviewSchema,
  PolicyTestReport as PolicyTestReportSchema,
  PolicyVersion as PolicyVersionSchema,
  PolicyVersionDetail as PolicyVersionDetailSchema,
  PolicyVersionTests as PolicyVersionTestsSchema,
} from '../../../../src/contracts/policy';

export type PolicyVersion = z.infer<typeof PolicyVersionSchema>;
export type PolicyVersionDetail = z.infer<typeof PolicyVersionDetailSchema>;
export type AppliedPolicy = z.infer<typeof AppliedPolicySchema>;
export type PolicyTestReport = z.infer<typeof PolicyTestReportSchema>;
export type PolicyVersionTests = z.infer<typeof PolicyVersionTestsSchema>;
export type PolicyPreview = z.infer<typeof PolicyPreviewSchema>;
export type PolicyDiff = PolicyPreview['diff'];

/** A team the bundle names by handle, as the `teams` section declares it. */
export interface DeclaredTeam {
  handle: string;
  name: string;
  description: string;
}

/** GET /api/v1/policy, with the parts only the policy page reads. */
export interface ActivePolicy extends Policy {
  description?: string;
  appliedBy?: string;
  appliedByName?: string;
  teams?: DeclaredTeam[];
}

/** One problem of a refused bundle (`422 invalid_policy`), where it is and what is wrong. */
export interface BundleIssue {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

// NOTE: the same key as `usePolicy` in features/changes, so both read one cached answer and applying a
// version refreshes the state labels everywhere.
const ACTIVE_KEY = ['policy'];
const VERSIONS_KEY = ['policy-versions'];

export function useActivePolicy() {
  return useQuery({
    queryKey: ACTIVE_KEY,
    queryFn: ({ signal }) => api.get<ActivePolicy>('/api/v1/policy', undefined, signal),
    staleTime: 60_000,
  });
}

export function usePolicyVersions() {
  return useQuery({
    queryKey: VERSIONS_KEY,
    queryFn: ({ signal }) => api.get<Page<PolicyVersion>>('/api/v1/policy/versions', undefined, signal),
  });
}

export function usePolicyVersion(number: number | null) {
  return useQuery({
    queryKey: [...VERSIONS_KEY, number],
    queryFn: ({ signal }) => api.get<PolicyVersionDetail>(`/api/v1/policy/versions/${number}`, undefined, signal),
    enabled: number !== null,
    // A version never changes once applied.
    staleTime: Infinity,
  });
}

/** The test cases of a version, run by the server. */
export function usePolicyVersionTests(number: number | null) {
  return useQuery({
    queryKey: [...VERSIONS_KEY, number, 'tests'],
    queryFn: ({ signal }) => api.get<PolicyVersionTests>(`/api/v1/policy/versions/${number}/tests`, undefined, signal),
    enabled: number !== null,
    // The version and its tests never change; only the code evaluating them could, with a new release.
    staleTime: Infinity,
  });
}

/** Checks a bundle as applying would, runs its tests and shows its impact on open changes; applies nothing. */
export function usePreviewPolicy() {
  return useMutation({
    mutationFn: (files: Record<string, string>) => api.post<PolicyPreview>('/api/v1/policy/preview', { files }),
  });
}

/** Fetches a version's files on demand (to start a new version from it). */
export function fetchPolicyVersion(number: number): Promise<PolicyVersionDetail> {
  return api.get<PolicyVersionDetail>(`/api/v1/policy/versions/${number}`);
}

export function useApplyPolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (files: Record<string, string>) => api.post<AppliedPolicy>('/api/v1/policy/versions', { files }),
    onSuccess: async (result) => {
      if (!result.applied) return;
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ACTIVE_KEY }),
        queryClient.invalidateQueries({ queryKey: VERSIONS_KEY }),
        queryClient.invalidateQueries({ queryKey: ['teams'] }),
      ]);
    },
  });
}

/** The located problems of a refused bundle, in file and line order; empty for any other error. */
export function bundleIssuesOf(error: unknown): BundleIssue[] {
  if (!(error instanceof ApiError) || error.code !== 'invalid_policy' || !Array.isArray(error.details.issues)) return [];
  return (error.details.issues as Partial<BundleIssue>[])
    .filter((i): i is BundleIssue => typeof i.file === 'string' && typeof i.message === 'string')
    .map((i) => ({ file: i.file, line: Number(i.line) || 0, column: Number(i.column) || 0, path: i.path ?? '', message: i.message }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
