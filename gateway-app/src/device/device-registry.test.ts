import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { before, describe, it } from 'node:test';
import { DeviceRegistry } from './device-registry';
import { DeviceError } from './errors';
import { createTestCa, issueDeviceCertificate, type TestCa } from './testing';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const T1 = new Date('2026-03-02T12:00:00.000Z');

describe('DeviceRegistry', () => {
  let ca: TestCa;
  before(async () => {
    ca = await createTestCa();
  });

  it('creates its table once and records devices', async () => {
    const db = new Database(':memory:');
    const registry = new DeviceRegistry(db);
    const again = new DeviceRegistry(db);
    const device = await issueDeviceCertificate(ca, { cn: 'dev1' });
    const record = registry.add({
      mspId: 'HospitalAMSP',
      enrollmentId: 'dev1',
      certificatePem: device.certificatePem,
      at: T0,
    });
    assert.deepEqual(record, {
      deviceId: device.deviceId,
      mspId: 'HospitalAMSP',
      enrollmentId: 'dev1',
      certificatePem: device.certificatePem,
      status: 'active',
      enrolledAt: T0.toISOString(),
      lastSeenAt: null,
    });
    assert.deepEqual(again.get(device.deviceId), record);
    assert.equal(registry.get('0'.repeat(64)), undefined);
  });

  it('lists the devices of one organisation, oldest first', async () => {
    const registry = new DeviceRegistry(new Database(':memory:'));
    const [a, b, c] = await Promise.all([1, 2, 3].map((i) => issueDeviceCertificate(ca, { cn: `dev${i}` })));
    assert.ok(a && b && c);
    registry.add({ mspId: 'HospitalAMSP', enrollmentId: 'dev2', certificatePem: b.certificatePem, at: T1 });
    registry.add({ mspId: 'HospitalAMSP', enrollmentId: 'dev1', certificatePem: a.certificatePem, at: T0 });
    registry.add({ mspId: 'HospitalBMSP', enrollmentId: 'dev3', certificatePem: c.certificatePem, at: T0 });
    assert.deepEqual(
      registry.list('HospitalAMSP').map((d) => d.enrollmentId),
      ['dev1', 'dev2'],
    );
    assert.deepEqual(registry.list('ImagingMSP'), []);
  });

  it('suspends, reactivates and touches devices', async () => {
    const registry = new DeviceRegistry(new Database(':memory:'));
    const device = await issueDeviceCertificate(ca);
    registry.add({ mspId: 'HospitalAMSP', enrollmentId: 'dev1', certificatePem: device.certificatePem });
    assert.equal(registry.setStatus(device.deviceId, 'suspended'), true);
    assert.equal(registry.get(device.deviceId)?.status, 'suspended');
    assert.equal(registry.setStatus(device.deviceId, 'active'), true);
    assert.equal(registry.get(device.deviceId)?.status, 'active');
    assert.equal(registry.setStatus('f'.repeat(64), 'suspended'), false);
    registry.touch(device.deviceId, T1);
    assert.equal(registry.get(device.deviceId)?.lastSeenAt, T1.toISOString());
  });

  it('updates a device re-enrolled with the same key', async () => {
    const registry = new DeviceRegistry(new Database(':memory:'));
    const device = await issueDeviceCertificate(ca);
    registry.add({
      mspId: 'HospitalAMSP',
      enrollmentId: 'dev1',
      certificatePem: device.certificatePem,
      at: T0,
    });
    registry.touch(device.deviceId, T0);
    const renewed = `${device.certificatePem}\n`;
    const record = registry.add({
      mspId: 'HospitalAMSP',
      enrollmentId: 'dev1',
      certificatePem: renewed,
      at: T1,
    });
    assert.equal(record.certificatePem, renewed);
    assert.equal(record.enrolledAt, T1.toISOString());
    assert.equal(record.lastSeenAt, T0.toISOString());
    assert.equal(registry.list('HospitalAMSP').length, 1);
  });

  it("replaces an enrolment's old key when it is re-enrolled with a new one", async () => {
    const registry = new DeviceRegistry(new Database(':memory:'));
    const old = await issueDeviceCertificate(ca);
    const fresh = await issueDeviceCertificate(ca);
    registry.add({ mspId: 'HospitalAMSP', enrollmentId: 'dev1', certificatePem: old.certificatePem });
    registry.add({ mspId: 'HospitalAMSP', enrollmentId: 'dev1', certificatePem: fresh.certificatePem });
    assert.equal(registry.get(old.deviceId), undefined);
    assert.equal(registry.get(fresh.deviceId)?.status, 'active');
  });

  it('keeps a suspension across re-enrolment', async () => {
    const registry = new DeviceRegistry(new Database(':memory:'));
    const old = await issueDeviceCertificate(ca);
    const fresh = await issueDeviceCertificate(ca);
    registry.add({ mspId: 'HospitalAMSP', enrollmentId: 'dev1', certificatePem: old.certificatePem });
    registry.setStatus(old.deviceId, 'suspended');
    registry.add({ mspId: 'HospitalAMSP', enrollmentId: 'dev1', certificatePem: old.certificatePem });
    assert.equal(registry.get(old.deviceId)?.status, 'suspended', 'same key');
    registry.add({ mspId: 'HospitalAMSP', enrollmentId: 'dev1', certificatePem: fresh.certificatePem });
    assert.equal(registry.get(fresh.deviceId)?.status, 'suspended', 'new key, same enrolment');
  });

  it('refuses what is not a certificate', () => {
    const registry = new DeviceRegistry(new Database(':memory:'));
    assert.throws(
      () => registry.add({ mspId: 'HospitalAMSP', enrollmentId: 'dev1', certificatePem: 'nope' }),
      (e: unknown) => e instanceof DeviceError && e.code === 'INVALID_ARGUMENT',
    );
  });
});
