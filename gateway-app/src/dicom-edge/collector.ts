import { createHash } from 'node:crypto';

/** One instance the edge received and spooled, with only what grouping and sending need. */
export interface SpooledInstance {
  /** The DICOM Part 10 file in the spool. */
  readonly path: string;
  readonly size: number;
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopInstanceUid: string;
  readonly callingAe: string;
  /** The recipient the routing rules chose for the study's first instance; undefined when none matched. */
  readonly to: string | undefined;
}

/** A study whose quiet period has passed: every instance received for it, in arrival order. */
export interface CollectedStudy {
  /** A short reference for logs: not the Study Instance UID, which may identify a patient's visit. */
  readonly ref: string;
  readonly callingAe: string;
  readonly to: string | undefined;
  readonly instances: readonly SpooledInstance[];
  readonly series: number;
  readonly bytes: number;
}

/**
 * The log reference of a study: the first 12 hex digits of the SHA-256 of its Study Instance UID, so that
 * the lines about one study can be followed without writing the UID itself.
 */
export function studyRef(studyUid: string): string {
  return createHash('sha256').update(studyUid).digest('hex').slice(0, 12);
}

interface Pending {
  readonly ref: string;
  readonly callingAe: string;
  readonly to: string | undefined;
  /** By SOP Instance UID: a resent instance replaces the earlier copy. */
  readonly instances: Map<string, SpooledInstance>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** What {@link StudyCollector.add} did with an instance. */
export interface Added {
  readonly ref: string;
  /** How many instances the study holds now. */
  readonly instances: number;
  /** The earlier copy of the same SOP instance, now replaced (its spool file can go). */
  readonly replaced: SpooledInstance | undefined;
}

/**
 * Groups received instances by Study Instance UID. A modality sends a study over one or several
 * associations with no marker for "done", so a study counts as complete once no instance of it has
 * arrived for the quiet period; each arrival restarts the wait. Instances of a study that arrive after it
 * was handed on start a new group, sent as another record.
 */
export class StudyCollector {
  readonly #quietMs: number;
  readonly #onComplete: (study: CollectedStudy) => void;
  readonly #pending = new Map<string, Pending>();

  /**
   * @param quietMs - how long a study must stay quiet to count as complete.
   * @param onComplete - called once per complete study, from a timer or from {@link flush}.
   */
  constructor(quietMs: number, onComplete: (study: CollectedStudy) => void) {
    this.#quietMs = quietMs;
    this.#onComplete = onComplete;
  }

  /** How many studies are waiting for their quiet period. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Adds an instance to its study and restarts the study's quiet period. */
  add(instance: SpooledInstance): Added {
    let study = this.#pending.get(instance.studyUid);
    if (study === undefined) {
      study = {
        ref: studyRef(instance.studyUid),
        callingAe: instance.callingAe,
        to: instance.to,
        instances: new Map(),
        timer: undefined,
      };
      this.#pending.set(instance.studyUid, study);
    }
    const replaced = study.instances.get(instance.sopInstanceUid);
    // Deleted first so that a resent instance takes its new place in arrival order.
    study.instances.delete(instance.sopInstanceUid);
    study.instances.set(instance.sopInstanceUid, instance);
    if (study.timer !== undefined) clearTimeout(study.timer);
    study.timer = setTimeout(() => {
      this.#complete(instance.studyUid);
    }, this.#quietMs);
    return { ref: study.ref, instances: study.instances.size, replaced };
  }

  /** Hands on every waiting study now, without waiting for its quiet period (at shutdown). */
  flush(): void {
    for (const studyUid of [...this.#pending.keys()]) this.#complete(studyUid);
  }

  #complete(studyUid: string): void {
    const study = this.#pending.get(studyUid);
    if (study === undefined) return;
    this.#pending.delete(studyUid);
    if (study.timer !== undefined) clearTimeout(study.timer);
    const instances = [...study.instances.values()];
    this.#onComplete({
      ref: study.ref,
      callingAe: study.callingAe,
      to: study.to,
      instances,
      series: new Set(instances.map((i) => i.seriesUid)).size,
      bytes: instances.reduce((sum, i) => sum + i.size, 0),
    });
  }
}
