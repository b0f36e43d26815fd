import { openRecord, type Opened } from '../../client/flows';
import { defaultPurpose, type Purpose } from './args';
import { deviceAgentOf, type Runtime, type Workstation } from './workstation';

/**
 * Opens a record from this workstation, as `open` and `dicom push` do: for `purpose`, or the role's
 * default (PATRQT for patients, else TREAT); the access is recorded on the ledger first.
 */
export async function openFromWorkstation(
  station: Workstation,
  recordId: string,
  options: { purpose?: Purpose; agent?: string },
  runtime: Runtime,
): Promise<{ purpose: Purpose; opened: Opened }> {
  const purpose = options.purpose ?? defaultPurpose(station.keyFile.role);
  const opened = await openRecord(
    station.client,
    await station.keys(),
    deviceAgentOf(options.agent, runtime.env),
    recordId,
    purpose,
  );
  return { purpose, opened };
}
