// The inbox's writes shared by the bell (in the shell's bundle) and the notifications page (lazy).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { chunks } from './group';

/** The API's cap on one bulk mark-read (POST /notifications/read). */
export const BULK_READ = 100;

/** Marks notifications read, in requests of at most BULK_READ ids; resolves to how many were unread. */
export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (ids: string[]) => {
      let marked = 0;
      for (const batch of chunks(ids, BULK_READ)) marked += unwrap(await api.POST('/notifications/read', { body: { ids: batch } })).marked;
      return marked;
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.notifications.all() }),
  });
}
