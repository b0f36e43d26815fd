import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { validateDescription } from './description';
import { ADMIN_ATTRS, networkIdentities } from './identities';
import { gatewayIdentity } from './layout';
import { planNetwork } from './topology';

const plan = planNetwork(
  validateDescription(parse(readFileSync(resolve(__dirname, '..', 'consortium.yaml'), 'utf8'))),
  { repoDir: '/repo' },
);

describe('network identities', () => {
  it('enrols a gateway service per peer organisation, with role=gateway and its powers in its certificate', () => {
    for (const org of plan.peerOrgs) {
      const gateway = networkIdentities(org, 'secret').find((r) => r.name === `gateway.${org.key}`);
      assert.deepEqual(gateway, {
        name: `gateway.${org.key}`,
        type: 'client',
        dir: join(org.dir, 'users', 'gateway'),
        attrs: 'role=gateway:ecert,powers=gateway:ecert',
        tlsHosts: 'localhost,127.0.0.1',
      });
      assert.equal(
        gatewayIdentity(org).signCert,
        join(org.dir, 'users', 'gateway', 'msp', 'signcerts', 'cert.pem'),
      );
    }
    assert.ok(!networkIdentities(plan.ordererOrg, 'secret').some((r) => r.name.startsWith('gateway.')));
  });

  it("makes each organisation's admin a CA registrar of clients with a role attribute and no other", () => {
    const admin = networkIdentities(plan.peerOrgs[0] ?? plan.ordererOrg, 'secret').find((r) =>
      r.name.startsWith('admin.'),
    );
    assert.equal(admin?.attrs, ADMIN_ATTRS);
    // fabric-ca-client splits --id.attrs on commas outside double quotes.
    assert.deepEqual(ADMIN_ATTRS.split(','), [
      'role=admin:ecert',
      'powers=admin:ecert',
      'hf.Registrar.Roles=client',
      'hf.Registrar.Attributes=role',
      'hf.Revoker=true',
    ]);
  });
});
