import type { TrustBundle } from '../../trust/bundle';
import type { ApiRoutes } from '../routes';

/** What the trust route serves. */
export interface TrustDeps {
  trustBundle: TrustBundle;
}

/**
 * The consortium's trust bundle, for a device that is enrolling. The gateway
 * is not trusted for it: the device accepts it only if its digest is the one
 * the operator's invitation carries (`verifyTrustBundle`).
 */
export function trustRoutes(api: ApiRoutes, deps: TrustDeps): void {
  api.add(
    {
      method: 'get',
      path: '/api/trust-bundle',
      tag: 'session',
      summary:
        "The consortium's trust anchors (MSP ids, CA roots, channel, chaincode); a device checks them against its invitation's digest",
      audience: 'anyone',
      responses: { 200: '{bundle}' },
    },
    (_req, res) => {
      res.json({ bundle: deps.trustBundle });
    },
  );
}
