import { useCallback, useEffect, useState } from 'react';

/** What {@link useLoaded} knows of a load. */
export interface Loaded<T> {
  /** The last value loaded; kept while a reload runs, so lists do not flicker. */
  value?: T;
  /** The error of the current load, if it failed. */
  error?: unknown;
  /** Whether the current load is still running. */
  loading: boolean;
  /** Loads again. */
  reload: () => void;
}

interface Settled<T> {
  load: () => Promise<T>;
  version: number;
  value?: T;
  error?: unknown;
  failed: boolean;
}

/**
 * Runs `load` (memoise it with useCallback) when it changes or on `reload()`, and keeps its outcome. An
 * outcome that arrives after the page moved on to another load is dropped.
 */
export function useLoaded<T>(load: () => Promise<T>): Loaded<T> {
  const [version, setVersion] = useState(0);
  const [settled, setSettled] = useState<Settled<T>>();
  useEffect(() => {
    let live = true;
    load().then(
      (value) => {
        if (live) setSettled({ load, version, value, failed: false });
      },
      (error: unknown) => {
        if (live) setSettled((last) => ({ load, version, value: last?.value, error, failed: true }));
      },
    );
    return () => {
      live = false;
    };
  }, [load, version]);
  const current = settled?.load === load && settled.version === version;
  const reload = useCallback(() => {
    setVersion((v) => v + 1);
  }, []);
  return {
    ...(settled?.value !== undefined ? { value: settled.value } : {}),
    ...(current && settled.failed ? { error: settled.error } : {}),
    loading: !current,
    reload,
  };
}
