import { createContext, useContext } from 'react';
import { holdsAll } from './scopes.ts';
import type { ProjectView, SessionView } from './types.ts';

export type SessionContextValue = {
  session: SessionView;
  project: ProjectView | null;
  /** Whether the signed-in user holds every scope in the current project. */
  can: (...scopes: string[]) => boolean;
  switchProject: (projectId: string) => Promise<void>;
  signOut: () => Promise<void>;
};

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in console');
  return value;
}

export function makeCan(scopes: readonly string[]) {
  return (...required: string[]) => holdsAll(scopes, required);
}
