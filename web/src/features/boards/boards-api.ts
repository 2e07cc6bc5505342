import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import type { Board, BoardKind, BoardListQuery, BoardRequest, BoardUpdate, ChairRule } from '../../../../src/contracts/boards';

export type { Board, BoardKind, BoardRequest, BoardUpdate, ChairRule };
/** The query of GET /api/v1/boards (without paging); `active` as the address holds it. */
export type BoardFilters = Partial<Pick<BoardListQuery, 'kind'>> & { active?: 'true' | 'false' };

export const boardKeys = {
  all: ['boards'] as const,
  list: (filters: BoardFilters) => ['boards', 'list', filters] as const,
  detail: (id: string) => ['boards', 'detail', id] as const,
};

const boardPath = (id: string) => `/api/v1/boards/${encodeURIComponent(id)}`;

export function useBoardList(filters: BoardFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: [...boardKeys.list(filters), limit],
    queryFn: ({ pageParam, signal }) => api.get<Page<Board>>('/api/v1/boards', { ...filters, limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useBoard(id: string) {
  return useQuery({
    queryKey: boardKeys.detail(id),
    queryFn: ({ signal }) => api.get<Board>(boardPath(id), undefined, signal),
  });
}

/** After a write: the record takes the answer, the lists are read again. */
function useStoreBoard() {
  const client = useQueryClient();
  return (saved: Board) => {
    client.setQueryData(boardKeys.detail(saved.id), saved);
    void client.invalidateQueries({ queryKey: boardKeys.all, predicate: (q) => q.queryKey[1] !== 'detail' });
  };
}

export function useCreateBoard() {
  const store = useStoreBoard();
  return useMutation({
    mutationFn: (input: BoardRequest) => api.post<Board>('/api/v1/boards', input),
    onSuccess: store,
  });
}

export function useUpdateBoard(id: string) {
  const store = useStoreBoard();
  return useMutation({
    mutationFn: (input: BoardUpdate & { version: number }) => api.patch<Board>(boardPath(id), input),
    onSuccess: store,
  });
}

/** Whether a board takes new work: `inactive` deactivates it (with a reason for the audit trail), `active` reactivates it. */
export type BoardActivity = 'active' | 'inactive';

export function useSetBoardActivity(id: string) {
  const store = useStoreBoard();
  return useMutation({
    mutationFn: ({ state, version, reason }: { state?: BoardActivity; version: number; reason?: string }) =>
      state === 'inactive'
        ? api.post<Board>(`${boardPath(id)}/deactivate`, { version, ...(reason ? { reason } : {}) })
        : api.patch<Board>(boardPath(id), { active: true, version }),
    onSuccess: store,
  });
}
