import { useState } from 'react';

/** A one-time secret shown once, with a copy button; `testId` names it for tests. */
export function OneTimeSecret({ secret, testId }: { secret: string; testId: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | undefined>();
  return (
    <p className="op-secret">
      <code data-testid={testId}>{secret}</code>{' '}
      <button
        type="button"
        className="secondary"
        onClick={() => {
          navigator.clipboard.writeText(secret).then(
            () => {
              setCopied('yes');
            },
            () => {
              setCopied('no');
            },
          );
        }}
      >
        Copy
      </button>{' '}
      <span role="status" className="hint">
        {copied === 'yes'
          ? 'Copied.'
          : copied === 'no'
            ? 'Copying is not allowed here: select the text.'
            : ''}
      </span>
    </p>
  );
}
