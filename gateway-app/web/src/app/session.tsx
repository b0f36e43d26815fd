import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { GatewayClient, type AccountView } from '../../../src/client/api-client';
import { httpDeviceAgent, type DeviceAgent, type DeviceKeys } from '../../../src/client/flows';
import { webCryptoSigner } from '../../../src/client/signer';
import { trustBundleDigest } from '../../../src/trust/bundle';
import { accountKey, loadIdentity, type StoredIdentity } from './keystore';
import { xhrUploader } from '../send/xhr-uploader';

/** What the gateway tells the page before sign-in (GET /api/ui-config). */
export interface UiConfig {
  organisations: string[];
  /** The device agent to ask, per organisation (a demo runs one per organisation). */
  deviceAgents: Record<string, string>;
  defaultDeviceAgent: string;
}

/** The signed-in user's state, shared by every page. */
export interface Session {
  /** One client per tab: it holds the session's CSRF token. */
  client: GatewayClient;
  config: UiConfig;
  /** The signed-in account, or null before sign-in (or while TOTP is pending). */
  account: AccountView | null;
  /** `anonymous`, `totp-required` or `signed-in`, as the gateway says. */
  state: string;
  /** The device keys this browser holds for the account, or null if it holds none (recover them). */
  keys: DeviceKeys | null;
  /** The trust code (digest) of the trust bundle this browser pinned for the account, if any. */
  trustDigest: string | null;
  /** The device agent this browser asks for posture reports. */
  agent: DeviceAgent;
  agentUrl: string;
  setAgentUrl(url: string): void;
  /** The refusal that showed the gateway has ended this session, while the page still shows it; else null. */
  ended: unknown;
  /** Records that the gateway has ended the session: the page then shows one notice instead of its content. */
  markEnded: (refusal: unknown) => void;
  /** Re-reads the session and this browser's keys. */
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);
const AGENT_URL_KEY = 'medshare.deviceAgentUrl';

/**
 * The device keys of a stored identity, or null if it pinned no trust bundle:
 * such keys could check nothing the gateway says, so they are not used (the
 * user recovers their keys with a backup or key file that carries one).
 */
export function deviceKeysOf(identity: StoredIdentity): DeviceKeys | null {
  if (!identity.trustBundle) return null;
  return {
    mspId: identity.mspId,
    userId: identity.userId,
    signer: webCryptoSigner(identity.signingKey, identity.certificatePem),
    encryption: identity.encryption,
    trust: identity.trustBundle,
  };
}

async function fetchUiConfig(): Promise<UiConfig> {
  const response = await fetch('/api/ui-config', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`the gateway answered ${response.status} for its UI settings`);
  return (await response.json()) as UiConfig;
}

interface SignedInState {
  state: string;
  account: AccountView | null;
  keys: DeviceKeys | null;
  trustDigest: string | null;
}

async function readSession(client: GatewayClient): Promise<SignedInState> {
  const session = await client.session();
  const account = session.account ?? null;
  const identity = account ? await loadIdentity(accountKey(account.mspId, account.enrollmentId)) : undefined;
  const mine = identity && identity.userId === account?.userId ? identity : undefined;
  return {
    state: session.state,
    account,
    keys: mine ? deviceKeysOf(mine) : null,
    trustDigest: mine?.trustBundle ? trustBundleDigest(mine.trustBundle) : null,
  };
}

/** Provides the {@link Session} to the app; renders `fallback` until the gateway has answered. */
export function SessionProvider({ children, fallback }: { children: ReactNode; fallback: ReactNode }) {
  const client = useMemo(() => new GatewayClient(window.location.origin, { uploader: xhrUploader() }), []);
  const [config, setConfig] = useState<UiConfig | null>(null);
  const [signedIn, setSignedIn] = useState<SignedInState>({
    state: 'anonymous',
    account: null,
    keys: null,
    trustDigest: null,
  });
  const [storedAgentUrl, setStoredAgentUrl] = useState(() => localStorage.getItem(AGENT_URL_KEY));
  // Boxed: the refusal itself may be any value, and the first one reported is the one shown.
  const [ended, setEnded] = useState<{ refusal: unknown } | null>(null);
  const { account } = signedIn;

  const refresh = useCallback(async () => {
    setSignedIn(await readSession(client));
    setEnded(null);
  }, [client]);
  const markEnded = useCallback((refusal: unknown) => {
    setEnded((current) => current ?? { refusal });
  }, []);

  useEffect(() => {
    void fetchUiConfig().then(setConfig);
    void readSession(client).then(setSignedIn);
  }, [client]);

  const agentUrl =
    storedAgentUrl ??
    (account ? config?.deviceAgents[account.mspId] : undefined) ??
    config?.defaultDeviceAgent ??
    'http://127.0.0.1:7391';
  const agent = useMemo(() => httpDeviceAgent(agentUrl), [agentUrl]);

  const value = useMemo<Session | null>(
    () =>
      config && {
        client,
        config,
        ...signedIn,
        agent,
        agentUrl,
        ended: ended?.refusal ?? null,
        markEnded,
        setAgentUrl(url: string) {
          if (url) localStorage.setItem(AGENT_URL_KEY, url);
          else localStorage.removeItem(AGENT_URL_KEY);
          setStoredAgentUrl(url || null);
        },
        refresh,
        async signOut() {
          await client.logout().catch(() => undefined);
          await refresh();
        },
      },
    [client, config, signedIn, agent, agentUrl, ended, markEnded, refresh],
  );
  return value ? <SessionContext.Provider value={value}>{children}</SessionContext.Provider> : fallback;
}

/** The session; only inside {@link SessionProvider}. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The session, or null outside {@link SessionProvider} (a component that may render before it). */
export function useOptionalSession(): Session | null {
  return useContext(SessionContext);
}

/** The session of a signed-in user whose keys this browser holds. */
export function useSignedIn(): Session & { account: AccountView; keys: DeviceKeys } {
  const session = useSession();
  if (!session.account || !session.keys) throw new Error('useSignedIn before sign-in');
  return session as Session & { account: AccountView; keys: DeviceKeys };
}
