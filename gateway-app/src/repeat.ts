/** A task run again and again until stopped (see {@link repeatEvery}). */
export interface Repeating {
  stop(): void;
}

/**
 * Runs `task` every `intervalMs`, each run starting `intervalMs` after the
 * previous one ended, so runs never overlap; the timer does not keep the
 * process alive. A failed run is the task's to report: the next one runs
 * anyway.
 */
export function repeatEvery(intervalMs: number, task: () => Promise<unknown>): Repeating {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void task()
        .catch(() => undefined)
        .finally(tick);
    }, intervalMs);
    timer.unref();
  };
  tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
