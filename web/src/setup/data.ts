// The setup pages' reads and writes over the typed client; each write refreshes the lists it changes.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { components } from '../api/schema';

export type S = components['schemas'];

export const useShots = (sequenceId: string | undefined) => useQuery({
  queryKey: keys.sequenceShots.list(sequenceId ?? ''),
  enabled: Boolean(sequenceId),
  queryFn: async () => unwrap(await api.GET('/sequences/{id}/shots', { params: { path: { id: sequenceId! }, query: { limit: 100 } } })).data,
});

/** What a change to the show's structure makes stale: the lists, the grids, the projects. */
export function useRefresh() {
  const client = useQueryClient();
  return {
    projects: (id?: string) => Promise.all([client.invalidateQueries({ queryKey: keys.projects.list() }), id ? client.invalidateQueries({ queryKey: keys.projects.detail(id) }) : undefined]),
    sequences: (projectId: string) => client.invalidateQueries({ queryKey: keys.sequences.list(projectId) }),
    shots: (projectId: string, sequenceId: string) => Promise.all([
      client.invalidateQueries({ queryKey: keys.sequenceShots.list(sequenceId) }),
      client.invalidateQueries({ queryKey: keys.grids.ofProject(projectId) }),
      // The shot grid's windows (web/src/grid) are their own queries: a new shot changes the total and the rows.
      client.invalidateQueries({ queryKey: keys.gridWindows.ofProject(projectId) }),
    ]),
    taskConfig: () => Promise.all([client.invalidateQueries({ queryKey: keys.taskTypes.list() }), client.invalidateQueries({ queryKey: keys.taskStatuses.list() })]),
  };
}
