import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetworkError } from './errors';
import { withRevocationList } from './revocation';

const config = () => ({
  channel_group: {
    groups: {
      Application: {
        groups: {
          HospitalAMSP: { values: { MSP: { value: { config: { revocation_list: ['b2xk'] } } } } },
          HospitalBMSP: { values: { MSP: { value: { config: {} } } } },
        },
      },
    },
  },
});

describe('withRevocationList', () => {
  it("replaces the organisation's revocation list with the CA's newest CRL, and touches nothing else", () => {
    const original = config();
    const updated = withRevocationList(original, 'HospitalAMSP', 'bmV3');
    assert.deepEqual(
      updated.channel_group.groups.Application?.groups.HospitalAMSP?.values.MSP?.value.config,
      {
        revocation_list: ['bmV3'],
      },
    );
    assert.deepEqual(
      updated.channel_group.groups.Application.groups.HospitalBMSP,
      config().channel_group.groups.Application.groups.HospitalBMSP,
    );
    assert.deepEqual(original, config(), 'the fetched configuration is left as it was, for compute_update');
  });

  it('refuses an organisation that is not an application organisation of the channel', () => {
    assert.throws(
      () => withRevocationList(config(), 'OrdererMSP', 'bmV3'),
      (e: unknown) => e instanceof NetworkError && e.code === 'STEP_FAILED',
    );
  });
});
