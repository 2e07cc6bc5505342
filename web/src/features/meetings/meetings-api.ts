import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiRequest } from '../../api/client';
import type {
  AgendaEditRequest,
  AgendaItemView,
  AgendaView,
  AttendanceRequest,
  BoardDecision,
  Condition,
  DecisionRequest,
  DecisionView,
  Meeting,
  MeetingListQuery,
  MeetingRequest,
  MeetingState,
  MeetingUpdate,
  Minutes,
  PreRead,
} from '../../../../src/contracts/meetings';

export type {
  AgendaEditRequest,
  AgendaItemView,
  AgendaView,
  AttendanceRequest,
  BoardDecision,
  Condition,
  DecisionRequest,
  DecisionView,
  Meeting,
  MeetingRequest,
  MeetingState,
  MeetingUpdate,
  Minutes,
  PreRead,
};

/** The query of GET /api/v1/meetings; every field optional, as the address holds it. */
export type MeetingFilters = Partial<Pick<MeetingListQuery, 'boardId' | 'from' | 'to' | 'state' | 'limit'>>;

export const meetingKeys = {
  all: ['meetings'] as const,
  list: (filters: MeetingFilters) => ['meetings', 'list', filters] as const,
  detail: (id: string) => ['meetings', 'detail', id] as const,
  agenda: (id: string) => ['meetings', 'agenda', id] as const,
  item: (id: string, changeId: string) => ['meetings', 'item', id, changeId] as const,
  minutes: (id: string) => ['meetings', 'minutes', id] as const,
};

export const conditionKeys = {
  change: (changeId: string) => ['conditions', changeId] as const,
};

const meetingPath = (id: string) => `/api/v1/meetings/${encodeURIComponent(id)}`;

/** Where the minutes download as Markdown (a plain link: the session cookie goes with it). */
export const minutesMarkdownUrl = (id: string) => `${meetingPath(id)}/minutes?format=markdown`;
/** Where the minutes download as a PDF, the Markdown's hash in its footer. */
export const minutesPdfUrl = (id: string) => `${meetingPath(id)}/minutes?format=pdf`;

export function useMeetingList(filters: MeetingFilters, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: meetingKeys.list(filters),
    queryFn: ({ signal }) => api.get<{ items: Meeting[] }>('/api/v1/meetings', { ...filters }, signal),
    placeholderData: keepPreviousData,
    enabled: options.enabled ?? true,
  });
}

export function useMeeting(id: string) {
  return useQuery({
    queryKey: meetingKeys.detail(id),
    queryFn: ({ signal }) => api.get<Meeting>(meetingPath(id), undefined, signal),
  });
}

export function useAgenda(id: string) {
  return useQuery({
    queryKey: meetingKeys.agenda(id),
    queryFn: ({ signal }) => api.get<AgendaView>(`${meetingPath(id)}/agenda`, undefined, signal),
  });
}

export function usePreRead(id: string, changeId: string | null) {
  return useQuery({
    queryKey: meetingKeys.item(id, changeId ?? ''),
    queryFn: ({ signal }) => api.get<PreRead>(`${meetingPath(id)}/items/${encodeURIComponent(changeId!)}`, undefined, signal),
    enabled: changeId !== null,
  });
}

export function useMinutes(id: string, enabled: boolean) {
  return useQuery({
    queryKey: meetingKeys.minutes(id),
    queryFn: ({ signal }) => api.get<Minutes>(`${meetingPath(id)}/minutes`, undefined, signal),
    enabled,
  });
}

/** After a write that answers the meeting: the record takes the answer, the lists and the agenda are read again. */
function useStoreMeeting() {
  const client = useQueryClient();
  return (saved: Meeting) => {
    client.setQueryData(meetingKeys.detail(saved.id), saved);
    void client.invalidateQueries({ queryKey: ['meetings', 'list'] });
    void client.invalidateQueries({ queryKey: meetingKeys.agenda(saved.id) });
  };
}

export function useScheduleMeeting(boardId: string) {
  const store = useStoreMeeting();
  return useMutation({
    mutationFn: (input: MeetingRequest) => api.post<Meeting>(`/api/v1/boards/${encodeURIComponent(boardId)}/meetings`, input),
    onSuccess: store,
  });
}

export function useUpdateMeeting(id: string) {
  const store = useStoreMeeting();
  return useMutation({
    mutationFn: (input: MeetingUpdate) => api.patch<Meeting>(meetingPath(id), input),
    onSuccess: store,
  });
}

export function useCancelMeeting(id: string) {
  const store = useStoreMeeting();
  return useMutation({
    mutationFn: (input: { reason: string; version?: number }) => api.post<Meeting>(`${meetingPath(id)}/cancel`, input),
    onSuccess: store,
  });
}

export function useStartMeeting(id: string) {
  const store = useStoreMeeting();
  return useMutation({
    mutationFn: () => api.post<Meeting>(`${meetingPath(id)}/start`),
    onSuccess: store,
  });
}

export function useRecordAttendance(id: string) {
  const store = useStoreMeeting();
  return useMutation({
    mutationFn: (input: AttendanceRequest) => apiRequest<Meeting>('PUT', `${meetingPath(id)}/attendance`, { body: input }),
    onSuccess: store,
  });
}

export function useSetCurrentItem(id: string) {
  const store = useStoreMeeting();
  return useMutation({
    mutationFn: (changeId: string | null) => apiRequest<Meeting>('PUT', `${meetingPath(id)}/current`, { body: { changeId } }),
    onSuccess: store,
  });
}

export function useEditAgenda(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: AgendaEditRequest) => api.post<AgendaView>(`${meetingPath(id)}/agenda`, input),
    onSuccess: (agenda) => client.setQueryData(meetingKeys.agenda(id), agenda),
  });
}

export function useDecideItem(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ changeId, ...input }: DecisionRequest & { changeId: string }) =>
      api.post<DecisionView>(`${meetingPath(id)}/items/${encodeURIComponent(changeId)}/decision`, input),
    onSuccess: (decision) => {
      void client.invalidateQueries({ queryKey: meetingKeys.agenda(id) });
      void client.invalidateQueries({ queryKey: meetingKeys.detail(id) });
      void client.invalidateQueries({ queryKey: conditionKeys.change(decision.changeId) });
      // The board's approval on the change is decided with it.
      void client.invalidateQueries({ queryKey: ['changes', 'approvals', decision.changeId] });
      void client.invalidateQueries({ queryKey: ['approvals'] });
      // A deferral adds the item to another meeting's agenda.
      if (decision.deferredTo) void client.invalidateQueries({ queryKey: meetingKeys.agenda(decision.deferredTo.meetingId) });
    },
  });
}

export function useEndMeeting(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<Minutes>(`${meetingPath(id)}/end`),
    onSuccess: (minutes) => {
      client.setQueryData(meetingKeys.minutes(id), minutes);
      void client.invalidateQueries({ queryKey: meetingKeys.detail(id) });
      void client.invalidateQueries({ queryKey: meetingKeys.agenda(id) });
      void client.invalidateQueries({ queryKey: ['meetings', 'list'] });
    },
  });
}

export function useChangeConditions(changeId: string) {
  return useQuery({
    queryKey: conditionKeys.change(changeId),
    queryFn: ({ signal }) => api.get<{ items: Condition[] }>(`/api/v1/changes/${encodeURIComponent(changeId)}/conditions`, undefined, signal),
  });
}

export function useVerifyCondition(changeId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ conditionId, note }: { conditionId: string; note?: string }) =>
      api.post<Condition>(`/api/v1/changes/${encodeURIComponent(changeId)}/conditions/${encodeURIComponent(conditionId)}/verify`, note ? { note } : {}),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: conditionKeys.change(changeId) });
      // The change's moves (implement) may open now, and its history has the verification.
      void client.invalidateQueries({ queryKey: ['changes', 'detail'] });
      void client.invalidateQueries({ queryKey: ['changes', 'audit', changeId] });
    },
  });
}
