import { useCallback, useRef, useState } from 'react';

/** The state of an action the user started: running, its outcome or its error. */
export interface Action<A extends unknown[], T> {
  busy: boolean;
  value?: T;
  error?: unknown;
  /** Runs the action; resolves with its value, or undefined when it failed (the error is kept). */
  run(...args: A): Promise<T | undefined>;
  /** Forgets the outcome. */
  reset(): void;
}

/**
 * Runs `action` on demand and keeps its outcome. Only the latest run counts: the
 * outcome of one overtaken by a newer run is dropped.
 */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>): Action<A, T> {
  const [state, setState] = useState<{ busy: boolean; value?: T; error?: unknown }>({ busy: false });
  const latest = useRef(0);
  const run = useCallback(
    async (...args: A): Promise<T | undefined> => {
      const id = ++latest.current;
      setState({ busy: true });
      try {
        const value = await action(...args);
        if (id === latest.current) setState({ busy: false, value });
        return value;
      } catch (error) {
        if (id === latest.current) setState({ busy: false, error });
        return undefined;
      }
    },
    [action],
  );
  const reset = useCallback(() => {
    latest.current++;
    setState({ busy: false });
  }, []);
  return { ...state, run, reset };
}
