// Who may set the show up (src/app/services/AccessPolicy.ts): the buttons a person cannot use are not shown.
import { useSessionState } from '../auth/AuthContext';

export function useSetupRole() {
  const state = useSessionState();
  const role = state.status === 'signed-in' ? state.user.role : null;
  return { producer: role === 'PRODUCER', lead: role === 'PRODUCER' || role === 'DIRECTOR' };
}
