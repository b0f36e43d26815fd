import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createTestCa, issueDeviceCertificate, type TestCa, type TestDevice } from '../device/testing';
import type { TrustBundle } from '../trust/bundle';
import { testTrustBundle } from '../trust/testing';
import { FederationError } from './errors';
import { FEDERATION_HEADERS, federationHeaders, verifyFederationRequest } from './request-signature';

const A = 'HospitalAMSP';
const B = 'HospitalBMSP';
const PATH = '/api/federation/directory';
const NOW = Date.parse('2026-12-07T12:00:00Z');

/**
 * A request between organisations' gateways, from the side of whoever else
 * would like the directory: no signature, a person's certificate, a gateway
 * of a CA the bundle does not name, an old request replayed, another path.
 */
describe('verifyFederationRequest', () => {
  let caA: TestCa;
  let rogue: TestCa;
  let gatewayA: TestDevice;
  let userA: TestDevice;
  let unpoweredGateway: TestDevice;
  let rogueGateway: TestDevice;
  let bundle: TrustBundle;

  before(async () => {
    [caA, rogue] = await Promise.all([createTestCa('HospitalA'), createTestCa('HospitalA')]);
    const gatewayAttrs = {
      role: 'gateway',
      powers: 'gateway',
      'hf.EnrollmentID': 'gateway',
      'hf.Type': 'client',
    };
    gatewayA = await issueDeviceCertificate(caA, { cn: 'gateway', attrs: gatewayAttrs });
    // What an organisation admin, a registrar for `role` alone, could issue: role=gateway without its powers.
    unpoweredGateway = await issueDeviceCertificate(caA, {
      cn: 'gateway2',
      attrs: { role: 'gateway', 'hf.EnrollmentID': 'gateway2', 'hf.Type': 'client' },
    });
    userA = await issueDeviceCertificate(caA, {
      cn: 'alice',
      attrs: { role: 'doctor', 'hf.EnrollmentID': 'alice' },
    });
    rogueGateway = await issueDeviceCertificate(rogue, { cn: 'gateway', attrs: gatewayAttrs });
    bundle = testTrustBundle([
      { mspId: A, ca: caA },
      { mspId: B, ca: await createTestCa('HospitalB') },
    ]);
  });

  const signed = (device: TestDevice, mspId = A, at = NOW, path = PATH) =>
    federationHeaders(
      { mspId, certificatePem: device.certificatePem, privateKey: device.privateKey },
      'GET',
      path,
      at,
    );
  const verify = (headers: Record<string, string>, at = NOW) =>
    verifyFederationRequest((name) => headers[name], 'GET', PATH, bundle, at);
  const refused = (reason: RegExp) => (error: unknown) => {
    assert.ok(error instanceof FederationError, String(error));
    assert.equal(error.code, 'FEDERATION_REFUSED');
    assert.match(error.message, reason);
    return true;
  };

  it('accepts a fresh request signed by an organisation’s gateway identity', async () => {
    assert.equal(await verify(signed(gatewayA)), A);
  });

  it('refuses no signature, a person’s certificate, another CA and another organisation’s name', async () => {
    await assert.rejects(verify(signed(unpoweredGateway)), refused(/not a gateway’s/));
    await assert.rejects(verify({}), refused(/no organisation named/));
    await assert.rejects(verify(signed(userA)), refused(/not a gateway’s/));
    await assert.rejects(verify(signed(rogueGateway)), refused(/not from HospitalAMSP's CA/));
    await assert.rejects(verify(signed(gatewayA, B)), refused(/not from HospitalBMSP's CA/));
  });

  it('refuses a replay after a minute, a signature for another path, and a forged one', async () => {
    await assert.rejects(verify(signed(gatewayA), NOW + 61_000), refused(/time is not now/));
    await assert.rejects(verify(signed(gatewayA, A, NOW, '/api/other')), refused(/does not verify/));
    const forged = signed(gatewayA);
    const signature = Buffer.from(forged[FEDERATION_HEADERS.signature] ?? '', 'base64');
    signature[signature.length - 1] = (signature.at(-1) ?? 0) ^ 1;
    await assert.rejects(
      verify({ ...forged, [FEDERATION_HEADERS.signature]: signature.toString('base64') }),
      refused(/does not verify/),
    );
  });
});
