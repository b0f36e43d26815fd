import { useOrganisationName } from '../app/organisations';
import type { ErasureRecord } from 'medshare-chaincode';
import { formatWhen } from './format';

/** Where an erasure stands: who asked, which organisations confirmed, and the storage evidence once done. */
export function ErasureFacts({ erasure }: { erasure: ErasureRecord }) {
  const organisation = useOrganisationName();
  return (
    <div data-testid="erasure-facts" data-status={erasure.status}>
      <p>
        <strong>
          {erasure.status === 'erased'
            ? 'Erased.'
            : erasure.status === 'erasing'
              ? 'Approved: nobody can read the record; the storage nodes are being cleared.'
              : 'Asked for; waiting for the organisations to confirm.'}
        </strong>{' '}
        Asked <time dateTime={erasure.requestedAt}>{formatWhen(erasure.requestedAt)}</time>.
      </p>
      <ul>
        {erasure.required.map((mspId) => {
          const c = erasure.confirmations.find((x) => x.mspId === mspId);
          return (
            <li key={mspId}>
              {organisation(mspId)}:{' '}
              {c ? (
                <>
                  confirmed <time dateTime={c.at}>{formatWhen(c.at)}</time>
                </>
              ) : (
                'waiting for an admin'
              )}
            </li>
          );
        })}
      </ul>
      {erasure.storage && erasure.erasedAt && (
        <p data-testid="erasure-evidence">
          Erased <time dateTime={erasure.erasedAt}>{formatWhen(erasure.erasedAt)}</time>: unpinned from{' '}
          {erasure.storage.unpinnedFrom} storage peers, garbage-collected on{' '}
          {erasure.storage.collectedOn.length} nodes ({erasure.storage.blocksRemoved} blocks); every envelope
          purged.
        </p>
      )}
    </div>
  );
}
