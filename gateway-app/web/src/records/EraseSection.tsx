import { useCallback, useId, useState } from 'react';
import type { ErasureRecord } from 'medshare-chaincode';
import { ERASURE_RULE } from 'medshare-chaincode/dist/erasure-rule';
import type { GatewayClient } from '../../../src/client/api-client';
import { getErasure, requestErasure } from '../../../src/client/erasure';
import type { LedgerIdentity } from '../../../src/client/ledger-call';
import { Refusal } from '../app/refusal';
import { SubmitRow } from '../app/SubmitRow';
import { useLoaded } from '../app/use-loaded';
import { useAction } from '../audit/use-action';
import { ErasureFacts } from './ErasureFacts';

/**
 * The recipient asks for a record to be erased everywhere, with a reason that
 * stays in this browser (only its hash goes to the ledger), and sees where the
 * erasure stands.
 */
export function EraseSection({
  client,
  keys,
  recordId,
}: {
  client: GatewayClient;
  keys: LedgerIdentity;
  recordId: string;
}) {
  const id = useId();
  const [reason, setReason] = useState('');
  // The erasure as the ledger holds it; none yet is NOT_FOUND, which is no error here.
  const load = useCallback(
    () => getErasure(client, keys, recordId).catch((): ErasureRecord | undefined => undefined),
    [client, keys, recordId],
  );
  const current = useLoaded(load);
  const ask = useAction(
    useCallback(
      async (text: string) => {
        const asked = await requestErasure(client, keys, recordId, text);
        current.reload();
        return asked;
      },
      [client, keys, recordId, current],
    ),
  );
  const erasure = ask.value?.erasure ?? current.value;
  return (
    <section aria-labelledby={`${id}-h`} className="panel" data-testid="erase-section">
      <h2 id={`${id}-h`}>Erase this record</h2>
      <p className="hint">
        Rule: {ERASURE_RULE}. Erasure removes the data from every storage node; the ledger keeps who asked,
        who confirmed and when.
      </p>
      {erasure ? (
        <ErasureFacts erasure={erasure} />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void ask.run(reason.trim());
          }}
        >
          <label htmlFor={`${id}-why`}>Reason (kept in this browser; only its hash goes on the ledger)</label>
          <textarea
            id={`${id}-why`}
            required
            value={reason}
            onChange={(e) => {
              setReason(e.target.value);
            }}
          />
          <SubmitRow
            label="Ask for erasure"
            busy={ask.busy}
            busyLabel="Asking…"
            disabled={reason.trim() === ''}
          />
        </form>
      )}
      <Refusal error={ask.error} />
    </section>
  );
}
