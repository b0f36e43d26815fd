import { useEffect, useRef } from 'react';
import type { Sent } from '../../../src/client/flows';
import { href } from '../app/router';
import { shortId } from '../records/format';

/** The committed transfer: shown only once the ledger has recorded it, and focused so it is seen and read. */
export function SendResult({ sent, recipient }: { sent: Sent; recipient: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.focus();
  }, [sent.recordId]);
  return (
    <div className="success" data-testid="send-result" tabIndex={-1} ref={box}>
      <strong>Sent to {recipient} and recorded on the ledger.</strong>
      <dl className="facts">
        <dt>Record</dt>
        <dd>
          <code data-testid="record-id">{sent.recordId}</code>
        </dd>
        <dt>Ledger transaction</dt>
        <dd>
          <code data-testid="tx-id">{sent.txId}</code>
        </dd>
        <dt>Block</dt>
        <dd data-testid="block-number">{sent.blockNumber ?? 'not reported'}</dd>
        <dt>Content id (encrypted copy)</dt>
        <dd>
          <code data-testid="content-id">{sent.cid}</code>
        </dd>
      </dl>
      <p>
        <a href={href(`/records/${encodeURIComponent(sent.recordId)}`)}>
          Go to record {shortId(sent.recordId)}
        </a>
      </p>
    </div>
  );
}
