import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config';

const complete = {
  GATEWAY_PORT: '7090',
  GATEWAY_NETWORK_PLAN: '/tmp/network.json',
  GATEWAY_DATABASE: '/tmp/gateway.db',
  GATEWAY_SESSION_SECRET: 'x'.repeat(40),
  GATEWAY_TOTP_KEY: Buffer.alloc(32, 7).toString('base64'),
  GATEWAY_ORGANISATION: 'HospitalAMSP',
};

describe('loadConfig', () => {
  it('fills defaults and derives the public origin', () => {
    const config = loadConfig(complete);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.publicOrigin, 'http://localhost:7090');
    assert.equal(config.sessionIdleSeconds, 900);
    assert.equal(config.totpKey.length, 32);
  });

  it('reads the device agent suggested per organisation and allows the page to reach it', () => {
    const config = loadConfig({
      ...complete,
      GATEWAY_DEVICE_AGENT_ORIGINS: 'http://127.0.0.1:7391',
      GATEWAY_DEVICE_AGENTS: 'HospitalAMSP=http://127.0.0.1:7091/, ImagingMSP=http://127.0.0.1:7093',
    });
    assert.deepEqual(config.deviceAgents, {
      HospitalAMSP: 'http://127.0.0.1:7091',
      ImagingMSP: 'http://127.0.0.1:7093',
    });
    assert.deepEqual(config.deviceAgentOrigins, [
      'http://127.0.0.1:7391',
      'http://127.0.0.1:7091',
      'http://127.0.0.1:7093',
    ]);
    assert.throws(() => loadConfig({ ...complete, GATEWAY_DEVICE_AGENTS: 'HospitalAMSP' }), /MSPID=URL/);
  });

  it('belongs to one organisation, and lists the others’ gateways; * (every organisation) only when said', () => {
    const config = loadConfig({
      ...complete,
      GATEWAY_PEER_GATEWAYS: 'HospitalBMSP=http://localhost:7095/, ImagingMSP=http://localhost:7096',
    });
    assert.equal(config.organisation, 'HospitalAMSP');
    assert.deepEqual(config.peerGateways, {
      HospitalBMSP: 'http://localhost:7095',
      ImagingMSP: 'http://localhost:7096',
    });
    assert.equal(loadConfig({ ...complete, GATEWAY_ORGANISATION: '*' }).organisation, undefined);
    assert.throws(
      () => loadConfig({ ...complete, GATEWAY_ORGANISATION: 'all of them' }),
      /GATEWAY_ORGANISATION/,
    );
  });

  it('lists every missing or invalid setting at once', () => {
    assert.throws(
      () => loadConfig({ GATEWAY_HOST: '0.0.0.0', GATEWAY_TOTP_KEY: 'c2hvcnQ=' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        for (const name of [
          'GATEWAY_HOST',
          'GATEWAY_PORT: missing',
          'GATEWAY_NETWORK_PLAN: missing',
          'GATEWAY_DATABASE: missing',
          'GATEWAY_SESSION_SECRET: missing',
          'GATEWAY_TOTP_KEY',
          'GATEWAY_ORGANISATION: missing',
        ]) {
          assert.match(text, new RegExp(name));
        }
        return true;
      },
    );
  });
});
