// Names of the studio's members for "who did this" (GET /users, first 100): an id the list lacks reads as "a member".
import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api, unwrap } from '../api/client';

export function useMemberNames() {
  const users = useQuery({ queryKey: ['users'], queryFn: async () => unwrap(await api.GET('/users', { params: { query: { limit: 100 } } })).data, staleTime: 60_000 });
  const data = users.data;
  return useCallback((id: string | null) => {
    if (!id) return 'The system';
    return data?.find((u) => u.id === id)?.name ?? 'A member';
  }, [data]);
}
