// The message modules only: the package's index also loads grpc-js, which has no place in a browser.
import * as msp from '@hyperledger/fabric-protos/lib/msp/identities_pb';
import * as proposalPb from '@hyperledger/fabric-protos/lib/peer/proposal_pb';
import * as proposalResponsePb from '@hyperledger/fabric-protos/lib/peer/proposal_response_pb';
import type { WebCryptoKey } from '../envelope';
import type { TrustBundle } from '../trust/bundle';
import { issuedByAny, verificationKeyOf, verifyDerSignature } from '../trust/certificates';
import * as x509 from '../x509';
import type { ReadPolicy } from './read-policy';
import type { EndorsedAction } from './signing-request';

/** Why the device refused to believe what the gateway handed it. */
export type UnverifiedCode = 'ANSWER_UNVERIFIED' | 'COMMIT_UNVERIFIED';

/**
 * Raised when an answer or a commit comes without proof the device can check
 * against its pinned trust anchors: no endorsements, a forged or dropped
 * signature, an endorser outside the read policy, or a response that is not
 * bound to the proposal the device signed. The answer is never used.
 */
export class UnverifiedAnswerError extends Error {
  override readonly name = 'UnverifiedAnswerError';
  readonly code: UnverifiedCode;

  constructor(code: UnverifiedCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** What peers signed for a proposal, once every signature and the policy have been checked. */
export interface VerifiedResponse {
  /** The chaincode's status (below 400: success). */
  status: number;
  /** The chaincode's answer, as the peers signed it. */
  payload: Uint8Array;
  /** The organisations whose peers endorsed it, sorted. */
  endorsedBy: string[];
}

function unverified(message: string): never {
  throw new UnverifiedAnswerError('ANSWER_UNVERIFIED', `refusing the answer: ${message}`);
}

/**
 * Peer certificates already checked against a bundle's roots, by organisation
 * and PEM: a device sees the same few peers for every answer, and a chain
 * check costs more than the signature check it enables.
 */
const checkedPeers = new WeakMap<TrustBundle, Map<string, Promise<WebCryptoKey>>>();
const MAX_CHECKED_PEERS = 64;

/**
 * The verification key of a peer's enrolment certificate, once it is checked:
 * issued by a pinned root of `mspId` (a peer organisation of the bundle),
 * valid at `at`, and a peer's (organisational unit `peer`, as the channel's
 * NodeOUs classify identities).
 */
async function peerKey(bundle: TrustBundle, mspId: string, pem: string, at: Date): Promise<WebCryptoKey> {
  let cache = checkedPeers.get(bundle);
  if (!cache) {
    cache = new Map();
    checkedPeers.set(bundle, cache);
  }
  const key = `${mspId}\n${pem}`;
  let checked = cache.get(key);
  if (!checked) {
    if (cache.size >= MAX_CHECKED_PEERS) cache.clear();
    checked = checkPeer(bundle, mspId, pem, at);
    cache.set(key, checked);
    checked.catch(() => cache.delete(key));
  }
  return checked;
}

async function checkPeer(bundle: TrustBundle, mspId: string, pem: string, at: Date): Promise<WebCryptoKey> {
  const organisation = bundle.organisations.find((o) => o.mspId === mspId && o.role === 'peer');
  if (!organisation)
    unverified(`an endorser claims ${mspId}, which is not a peer organisation of the consortium`);
  let certificate: x509.X509Certificate;
  try {
    certificate = new x509.X509Certificate(pem);
  } catch {
    unverified(`an endorser of ${mspId} has no readable certificate`);
  }
  if (!certificate.subjectName.getField('OU').includes('peer')) {
    unverified(`an endorser of ${mspId} is not a peer`);
  }
  if (at < certificate.notBefore || at > certificate.notAfter) {
    unverified(`an endorser certificate of ${mspId} is not valid now`);
  }
  if (!(await issuedByAny(certificate, organisation.rootCertificates, at))) {
    unverified(`an endorser of ${mspId} was not issued by the organisation's pinned CA`);
  }
  return verificationKeyOf(certificate);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const all = new Uint8Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return all;
}

/**
 * Verifies what peers endorsed for a proposal the device signed (the caller has
 * already checked, with `endorsedActionOf`, that the response is bound to that
 * proposal): every endorsement's signature over the response payload and the
 * endorser, each endorser a peer certified by its organisation's pinned CA,
 * and the response naming `chaincode`. Returns the chaincode's answer as the
 * peers signed it, and who signed it, for {@link requireReadPolicy}.
 */
export async function verifyEndorsements(
  action: EndorsedAction,
  bundle: TrustBundle,
  chaincode: string,
  at: Date = new Date(),
): Promise<VerifiedResponse> {
  let response: proposalPb.ChaincodeAction;
  try {
    const payload = proposalResponsePb.ProposalResponsePayload.deserializeBinary(action.responsePayload);
    response = proposalPb.ChaincodeAction.deserializeBinary(payload.getExtension_asU8());
  } catch {
    unverified('the endorsed response cannot be decoded');
  }
  if (response.getChaincodeId()?.getName() !== chaincode) {
    unverified(`the endorsed response is from ${response.getChaincodeId()?.getName() ?? 'no chaincode'}`);
  }
  if (action.endorsements.length === 0) unverified('it carries no endorsement');
  const endorsedBy = new Set<string>();
  for (const endorsement of action.endorsements) {
    let identity: msp.SerializedIdentity;
    try {
      identity = msp.SerializedIdentity.deserializeBinary(endorsement.endorser);
    } catch {
      unverified('an endorser identity cannot be decoded');
    }
    const mspId = identity.getMspid();
    const key = await peerKey(bundle, mspId, new TextDecoder().decode(identity.getIdBytes_asU8()), at);
    const signed = concat(action.responsePayload, endorsement.endorser);
    if (!(await verifyDerSignature(key, endorsement.signature, signed))) {
      unverified(`the endorsement signature of a ${mspId} peer does not verify`);
    }
    endorsedBy.add(mspId);
  }
  const chaincodeResponse = response.getResponse();
  return {
    status: chaincodeResponse?.getStatus() ?? 0,
    payload: chaincodeResponse?.getPayload_asU8() ?? new Uint8Array(),
    endorsedBy: [...endorsedBy].sort(),
  };
}

/**
 * Checks the organisations whose peers endorsed an answer (over all its
 * proofs) satisfy the read policy: valid signatures from the wrong
 * organisations prove nothing the device asked for.
 */
export function requireReadPolicy(endorsedBy: readonly string[], policy: ReadPolicy): void {
  const missing = policy.required.filter((mspId) => !endorsedBy.includes(mspId));
  if (missing.length > 0) unverified(`no peer of ${missing.join(', ')} endorsed it`);
  if (endorsedBy.length < policy.minOrganisations) {
    unverified(
      `endorsed by ${endorsedBy.length} organisation(s), fewer than the ${policy.minOrganisations} its read policy requires`,
    );
  }
}
