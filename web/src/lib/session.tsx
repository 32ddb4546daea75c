import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, api, setCsrfToken, setUnauthorizedHandler } from '../api/client';
import type { LoginResponse, Me } from '../api/types';
import { abilities, type Abilities } from './roles';

type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; me: Me };

interface SessionValue {
  state: SessionState;
  me: Me | null;
  can: Abilities;
  signIn(username: string, password: string, totp?: string): Promise<Me>;
  signOut(): Promise<void>;
  refresh(): Promise<void>;
}

const NOBODY = abilities([]);
const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const refresh = useCallback(async () => {
    try {
      const me = await api.get<Me>('/api/v1/me', { expectUnauthorized: true });
      setState({ status: 'signed-in', me });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setState({ status: 'signed-out' });
      else setState({ status: 'signed-out', reason: e instanceof Error ? e.message : String(e) });
    }
  }, []);

  useEffect(() => {
    void refresh();
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      setState({ status: 'signed-out', reason: 'Your session has ended. Sign in again to continue.' });
    });
    return () => setUnauthorizedHandler(null);
  }, [refresh]);

  const signIn = useCallback(async (username: string, password: string, totp?: string) => {
    const body: Record<string, string> = { username, password };
    if (totp) body.totp = totp;
    const res = await api.post<LoginResponse>('/api/v1/auth/login', body, { expectUnauthorized: true });
    setCsrfToken(res.csrf_token);
    setState({ status: 'signed-in', me: res.user });
    return res.user;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/v1/auth/logout', undefined, { expectUnauthorized: true });
    } catch {
      // Signed out already, or the server is gone: either way the session is over here.
    }
    setCsrfToken(null);
    setState({ status: 'signed-out' });
  }, []);

  const value = useMemo<SessionValue>(() => {
    const me = state.status === 'signed-in' ? state.me : null;
    return { state, me, can: me ? abilities(me.roles) : NOBODY, signIn, signOut, refresh };
  }, [state, signIn, signOut, refresh]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

// The signed-in user; only for pages behind the sign-in gate.
export function useMe(): { me: Me; can: Abilities } {
  const { me, can } = useSession();
  if (!me) throw new Error('useMe without a signed-in user');
  return { me, can };
}
