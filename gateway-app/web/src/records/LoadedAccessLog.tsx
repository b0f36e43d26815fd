import type { Directory } from '../app/directory';
import { Refusal } from '../app/refusal';
import type { Loaded } from '../app/use-loaded';
import { AccessLogTable } from './AccessLogTable';
import type { AccessRow } from '../../../src/api/ledger-rows';

/**
 * An access trail as it is read from the ledger: why reading it failed, a status until the first read
 * ends, then its table (kept while a reload runs).
 */
export function LoadedAccessLog({
  log,
  directory,
  caption,
  showRecord,
}: {
  log: Loaded<AccessRow[]>;
  directory: Directory | undefined;
  caption: string;
  showRecord: boolean;
}) {
  return (
    <>
      <Refusal error={log.error} />
      {log.loading && !log.value && (
        <p role="status" className="hint">
          Reading the access trail from the ledger…
        </p>
      )}
      {log.value && (
        <AccessLogTable rows={log.value} directory={directory} caption={caption} showRecord={showRecord} />
      )}
    </>
  );
}
