import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Deidentifier } from '../deidentify';
import type { CollectedStudy } from './collector';

/** A study's de-identified copy in the spool, and how to remove it once sent. */
export interface DeidentifiedStudy {
  readonly study: CollectedStudy;
  readonly remove: () => Promise<void>;
}

/**
 * Copies a collected study, de-identified with the PS3.15 Basic Profile (one de-identifier for the
 * study, so its UIDs stay consistent), into a private folder of `spoolDir`. The received files are left
 * as they are, so a failed send can be retried or kept.
 *
 * @throws {@link DeidentifyError} from the first instance that cannot be de-identified; nothing is left.
 */
export async function deidentifyStudy(study: CollectedStudy, spoolDir: string): Promise<DeidentifiedStudy> {
  const dir = await mkdtemp(join(spoolDir, 'deidentified-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const deidentifier = new Deidentifier();
    const instances = [];
    for (const [index, instance] of study.instances.entries()) {
      const bytes = deidentifier.deidentify(await readFile(instance.path));
      const path = join(dir, `${String(index).padStart(5, '0')}.dcm`);
      await writeFile(path, bytes, { mode: 0o600 });
      instances.push({ ...instance, path, size: bytes.length });
    }
    return {
      study: { ...study, instances, bytes: instances.reduce((sum, i) => sum + i.size, 0) },
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
