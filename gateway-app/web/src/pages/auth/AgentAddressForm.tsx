import { useState, type ReactNode, type SubmitEvent } from 'react';
import { useSession } from '../../app/session';

function validAgentUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Where this browser finds the device agent: a saved address, or (empty) the
 * gateway's suggestion. `children` are more buttons for the same row.
 */
export function AgentAddressForm({
  idPrefix,
  suggested,
  asking,
  children,
}: {
  idPrefix: string;
  /** The gateway's suggestion for the organisation. */
  suggested: string;
  /** The address the next check will use. */
  asking: string;
  children?: ReactNode;
}) {
  const session = useSession();
  const { agentUrl, config } = session;
  // The session resolves the address; an address other than a suggestion is one the user saved.
  const saved = agentUrl === suggested || agentUrl === config.defaultDeviceAgent ? '' : agentUrl;
  const [address, setAddress] = useState(saved);
  const [problem, setProblem] = useState('');
  const [status, setStatus] = useState('');

  function save(event: SubmitEvent) {
    event.preventDefault();
    const text = address.trim().replace(/\/+$/, '');
    if (text && !validAgentUrl(text)) {
      setProblem('Enter an address such as http://127.0.0.1:7391, or leave it empty.');
      return;
    }
    setProblem('');
    session.setAgentUrl(text);
    setStatus(`Saved: this browser asks ${text || suggested}.`);
  }

  return (
    <form onSubmit={save}>
      <label htmlFor={`${idPrefix}-agent-url`}>Device agent address</label>
      <input
        id={`${idPrefix}-agent-url`}
        type="url"
        inputMode="url"
        spellCheck={false}
        placeholder={suggested}
        aria-describedby={`${idPrefix}-agent-hint`}
        aria-invalid={problem !== ''}
        value={address}
        onChange={(e) => {
          setAddress(e.target.value);
        }}
      />
      <p className="hint" id={`${idPrefix}-agent-hint`}>
        Leave empty to use the gateway&rsquo;s suggestion, <code>{suggested}</code>. Now asking:{' '}
        <code data-testid="agent-url">{asking}</code>
      </p>
      {problem && (
        <p className="field-problem" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <button type="submit">Save</button>
        {children}
      </div>
      <p className="status" role="status" aria-live="polite">
        {status}
      </p>
    </form>
  );
}
