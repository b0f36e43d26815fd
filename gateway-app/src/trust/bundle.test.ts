import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createTestCa } from '../device/testing';
import {
  canonicalJson,
  parseTrustBundle,
  rootsOf,
  TrustBundleError,
  trustBundleDigest,
  verifyTrustBundle,
  type TrustBundle,
} from './bundle';

function refusedWith(action: () => unknown, code: string, reason: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof TrustBundleError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, reason);
    return true;
  });
}

/**
 * The trust bundle from the side of a gateway that serves another one: a CA
 * root of its own for an organisation, an extra organisation, another channel.
 * The device takes only the bundle whose digest the invitation carries.
 */
describe('trust bundle', () => {
  let bundle: TrustBundle;
  let attackerRoot: string;

  before(async () => {
    const [a, b, orderer, attacker] = await Promise.all(
      ['HospitalA', 'HospitalB', 'Orderer', 'HospitalA'].map((name) => createTestCa(name)),
    );
    attackerRoot = attacker?.certificatePem ?? '';
    bundle = parseTrustBundle({
      v: 1,
      consortium: 'medshare',
      channel: 'medshare',
      chaincode: 'medshare',
      organisations: [
        { mspId: 'HospitalAMSP', name: 'St Mary', role: 'peer', rootCertificates: [a?.certificatePem] },
        { mspId: 'HospitalBMSP', name: 'Riverside', role: 'peer', rootCertificates: [b?.certificatePem] },
        {
          mspId: 'OrdererMSP',
          name: 'Ordering',
          role: 'orderer',
          rootCertificates: [orderer?.certificatePem],
        },
      ],
    });
  });

  it('has one digest, whatever the order of keys in the JSON that carried it', () => {
    const digest = trustBundleDigest(bundle);
    assert.match(digest, /^[0-9a-f]{64}$/);
    const reordered = JSON.parse(
      JSON.stringify({
        organisations: bundle.organisations,
        chaincode: 'medshare',
        channel: 'medshare',
        consortium: 'medshare',
        v: 1,
      }),
    ) as unknown;
    assert.equal(trustBundleDigest(parseTrustBundle(reordered)), digest);
    assert.equal(canonicalJson({ b: [{ d: 1, c: 2 }], a: 'x' }), '{"a":"x","b":[{"c":2,"d":1}]}');
  });

  it('accepts the bundle the invitation names, and gives each organisation its roots', () => {
    const pinned = verifyTrustBundle(JSON.parse(JSON.stringify(bundle)), trustBundleDigest(bundle));
    assert.deepEqual(pinned, bundle);
    assert.deepEqual(rootsOf(pinned, 'HospitalBMSP'), bundle.organisations[1]?.rootCertificates);
    assert.deepEqual(rootsOf(pinned, 'MalloryMSP'), []);
  });

  it('refuses a bundle with a CA root of the gateway’s own, another channel or an extra organisation', () => {
    const digest = trustBundleDigest(bundle);
    const swapped = structuredClone(bundle);
    const first = swapped.organisations[0];
    assert.ok(first);
    first.rootCertificates = [attackerRoot];
    refusedWith(
      () => verifyTrustBundle(swapped, digest),
      'TRUST_BUNDLE_MISMATCH',
      /not the one your invitation names/,
    );
    refusedWith(
      () => verifyTrustBundle({ ...bundle, channel: 'other' }, digest),
      'TRUST_BUNDLE_MISMATCH',
      /not the one your invitation names/,
    );
    const extra = structuredClone(bundle);
    extra.organisations.push({
      mspId: 'ZedMSP',
      name: 'Zed',
      role: 'peer',
      rootCertificates: [attackerRoot],
    });
    refusedWith(() => verifyTrustBundle(extra, digest), 'TRUST_BUNDLE_MISMATCH', /not the one/);
    refusedWith(() => verifyTrustBundle(bundle, 'ABC'), 'TRUST_BUNDLE_MISMATCH', /64 hex digits/);
  });

  it('refuses malformed bundles: unknown fields, a root that is not a certificate, organisations out of order', () => {
    refusedWith(() => parseTrustBundle({ ...bundle, extra: 1 }), 'TRUST_BUNDLE_INVALID', /malformed/);
    refusedWith(() => parseTrustBundle({ ...bundle, v: 2 }), 'TRUST_BUNDLE_INVALID', /at v/);
    const notPem = structuredClone(bundle);
    const org = notPem.organisations[0];
    assert.ok(org);
    org.rootCertificates = ['not a certificate'];
    refusedWith(
      () => parseTrustBundle(notPem),
      'TRUST_BUNDLE_INVALID',
      /organisations\.0\.rootCertificates\.0/,
    );
    const reversed = { ...bundle, organisations: [...bundle.organisations].reverse() };
    refusedWith(() => parseTrustBundle(reversed), 'TRUST_BUNDLE_INVALID', /once, in MSP id order/);
    const twice = { ...bundle, organisations: [bundle.organisations[0], ...bundle.organisations] };
    refusedWith(() => parseTrustBundle(twice), 'TRUST_BUNDLE_INVALID', /once, in MSP id order/);
    refusedWith(() => parseTrustBundle('[]'), 'TRUST_BUNDLE_INVALID', /malformed/);
  });
});
