import type { UiConfig } from '../../app/session';

/**
 * The device agent to ask at sign-in. Before sign-in the session does not
 * know the organisation and suggests the default agent, so the organisation's
 * own agent is taken instead unless the user saved another address.
 */
export function signInAgentUrl(session: { agentUrl: string; config: UiConfig }, mspId: string): string {
  const { agentUrl, config } = session;
  return agentUrl === config.defaultDeviceAgent ? (config.deviceAgents[mspId] ?? agentUrl) : agentUrl;
}
