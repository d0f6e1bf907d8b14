/** Small shared pieces: data loading with loading/error states, error text, time formatting. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Loads `fn()` now, on `deps` change, and every `pollMs` when given (live views). */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[], pollMs?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const alive = useRef(true);
  const reload = useCallback(async () => {
    try {
      const value = await fnRef.current();
      if (!alive.current) return;
      setData(value);
      setError(undefined);
    } catch (err) {
      if (alive.current) setError(err as Error);
    } finally {
      if (alive.current) setLoading(false);
    }
  }, []);
  useEffect(() => {
    alive.current = true;
    setLoading(true);
    setData(undefined);
    void reload();
    const timer = pollMs ? setInterval(() => void reload(), pollMs) : undefined;
    return () => {
      alive.current = false;
      if (timer) clearInterval(timer);
    };
  }, deps);
  return { data, error, loading, reload };
}

/** Runs an action for a control, keeping its own pending state and error (shown beside it). */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<unknown>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const run = async (...args: A): Promise<boolean> => {
    setPending(true);
    setError(undefined);
    try {
      await fn(...args);
      return true;
    } catch (err) {
      setError(err as Error);
      return false;
    } finally {
      setPending(false);
    }
  };
  return { run, pending, error, clear: () => setError(undefined) };
}

export function ErrorText({ error, id }: { error: Error | undefined; id?: string }) {
  if (!error) return null;
  const code = error instanceof ApiError && error.id !== 'error' ? ` (${error.id})` : '';
  return <p class="error" role="alert" id={id}>{error.message}{code}</p>;
}

export function Loading({ what }: { what: string }) {
  return <p class="muted" role="status">Loading {what}…</p>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}
