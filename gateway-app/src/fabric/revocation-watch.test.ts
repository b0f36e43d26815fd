import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { common, msp } from '@hyperledger/fabric-protos';
import { pino } from 'pino';
import {
  createTestCa,
  issueCrl,
  issueDeviceCertificate,
  serialOf,
  type TestCa,
  type TestDevice,
} from '../device/testing';
import { organisationCrlsOf } from './channel-crls';
import { RevocationWatch } from './revocation-watch';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A channel configuration whose one application organisation's MSP has `ca` as root and `crls`. */
function channelConfig(ca: TestCa, crls: string[]): Uint8Array {
  const fabric = new msp.FabricMSPConfig();
  fabric.setName('HospitalAMSP');
  fabric.setRootCertsList([utf8(ca.certificatePem)]);
  fabric.setRevocationListList(crls.map(utf8));
  const mspConfig = new msp.MSPConfig();
  mspConfig.setConfig(fabric.serializeBinary());
  const value = new common.ConfigValue();
  value.setValue(mspConfig.serializeBinary());
  const org = new common.ConfigGroup();
  org.getValuesMap().set('MSP', value);
  const application = new common.ConfigGroup();
  application.getGroupsMap().set('HospitalAMSP', org);
  const channel = new common.ConfigGroup();
  channel.getGroupsMap().set('Application', application);
  const config = new common.Config();
  config.setChannelGroup(channel);
  return config.serializeBinary();
}

describe('CRLs from the channel configuration', () => {
  let ca: TestCa;
  let gateway: TestDevice;
  let doctor: TestDevice;

  before(async () => {
    ca = await createTestCa('HospitalA');
    gateway = await issueDeviceCertificate(ca, { cn: 'gateway' });
    doctor = await issueDeviceCertificate(ca, { cn: 'doctor' });
  });

  const watch = (...readers: (() => Promise<Uint8Array>)[]): RevocationWatch =>
    new RevocationWatch({
      readers,
      ownCertificates: [gateway.certificatePem],
      intervalMs: 60_000,
      logger: pino({ level: 'silent' }),
    });

  it("reads each application organisation's roots and CRLs", async () => {
    const crl = await issueCrl(ca, [serialOf(doctor.certificatePem)]);
    assert.deepEqual(organisationCrlsOf(channelConfig(ca, [crl])), [
      { mspId: 'HospitalAMSP', rootCertificates: [ca.certificatePem], crls: [crl] },
    ]);
    assert.deepEqual(organisationCrlsOf(new common.Config().serializeBinary()), []);
  });

  it('knows a revoked user at the next reading, and the gateway stays in service', async () => {
    let crls: string[] = [];
    const w = watch(() => Promise.resolve(channelConfig(ca, crls)));
    await w.refresh();
    assert.equal(w.isRevoked(doctor.certificatePem), false);
    crls = [await issueCrl(ca, [serialOf(doctor.certificatePem)])];
    await w.refresh();
    assert.equal(w.isRevoked(doctor.certificatePem), true);
    assert.equal(w.gatewayRevoked(), false);
  });

  it('takes the gateway out of service when its own certificate is on a CRL', async () => {
    const crl = await issueCrl(ca, [serialOf(gateway.certificatePem)]);
    const w = watch(() => Promise.resolve(channelConfig(ca, [crl])));
    await w.refresh();
    assert.equal(w.gatewayRevoked(), true);
  });

  it('takes the gateway out of service when the peers refuse its identity, and keeps the last list on other failures', async () => {
    const crl = await issueCrl(ca, [serialOf(doctor.certificatePem)]);
    let failure: Error | undefined;
    const w = watch(() => (failure ? Promise.reject(failure) : Promise.resolve(channelConfig(ca, [crl]))));
    await w.refresh();
    failure = new Error('14 UNAVAILABLE: No connection established');
    await w.refresh();
    assert.equal(w.isRevoked(doctor.certificatePem), true, 'the last list still holds');
    assert.equal(w.gatewayRevoked(), false);
    failure = Object.assign(new Error('10 ABORTED: failed to evaluate transaction'), {
      details: [
        {
          message: 'error validating proposal: access denied: channel [medshare] creator org [HospitalAMSP]',
        },
      ],
    });
    await w.refresh();
    assert.equal(w.gatewayRevoked(), true);
  });
});
