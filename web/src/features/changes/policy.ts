import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Policy, PolicyModel, PolicyState } from '../../api/types';

export function usePolicy() {
  return useQuery({
    queryKey: ['policy'],
    queryFn: () => api.get<Policy>('/api/v1/policy'),
    staleTime: 10 * 60_000,
  });
}

export function findState(policy: Policy | undefined, type: string, stateId: string): PolicyState | undefined {
  return policy?.models[type]?.states.find((s) => s.id === stateId);
}

/** The state's label from the policy, or a readable form of its id while the policy loads. */
export function stateLabel(policy: Policy | undefined, type: string | undefined, stateId: string): string {
  const fromType = type ? findState(policy, type, stateId) : undefined;
  const any =
    fromType ??
    Object.values(policy?.models ?? {})
      .flatMap((m) => m.states)
      .find((s) => s.id === stateId);
  return any?.label ?? stateId.charAt(0).toUpperCase() + stateId.slice(1).replace(/_/g, ' ');
}

/** Every state of every model once, in model order, for the list filter. */
export function allStates(policy: Policy | undefined): { value: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const model of Object.values(policy?.models ?? {})) {
    for (const s of model.states) if (!seen.has(s.id)) seen.set(s.id, s.label);
  }
  return [...seen].map(([value, label]) => ({ value, label }));
}

const TYPE_ORDER = ['standard', 'normal', 'emergency'];

/** The change models in a stable order: the three built-in ones first, custom ones after. */
export function orderedModels(policy: Policy | undefined): PolicyModel[] {
  const models = Object.entries(policy?.models ?? {}).map(([type, m]) => ({ ...m, type: m.type ?? type }));
  const rank = (t: string) => (TYPE_ORDER.includes(t) ? TYPE_ORDER.indexOf(t) : TYPE_ORDER.length);
  return models.sort((a, b) => rank(a.type) - rank(b.type) || a.label.localeCompare(b.label));
}

export function typeLabel(policy: Policy | undefined, type: string): string {
  const label = policy?.models[type]?.label;
  if (label) return label.replace(/ change$/i, '');
  return type.charAt(0).toUpperCase() + type.slice(1);
}
