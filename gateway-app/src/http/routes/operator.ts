import { z } from 'zod';
import type { AccountStore } from '../../auth';
import { INVITABLE_ROLES, type SignedCaRequest } from '../../client/ca-token';
import type { DeviceRegistry } from '../../device/device-registry';
import type { FabricCaClient } from '../../fabric-ca/ca-client';
import { HttpError } from '../errors';
import type { ApiRoutes } from '../routes';
import { signedInOperator } from '../signed-in';
import { operatorHealthRoutes, type NetworkProbes } from './operator-health';
import { publicAccount } from './session';

/** What the operator routes use. */
export interface OperatorDeps {
  accounts: AccountStore;
  devices: DeviceRegistry;
  caOf(mspId: string): FabricCaClient;
  /** What `GET /api/operator/health` asks about the network. */
  network: NetworkProbes;
}

const signedRegistration = z.strictObject({
  registration: z.strictObject({ body: z.string().max(4096), authorization: z.string().max(8192) }),
});

/** The registration body the operator signed, as the gateway allows it. */
const registrationFields = z.object({
  id: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/),
  type: z.literal('client'),
  affiliation: z.string().max(0).optional(),
  max_enrollments: z.literal(1),
  attrs: z.tuple([z.strictObject({ name: z.literal('role'), value: z.string(), ecert: z.literal(true) })]),
  caname: z.string(),
});

const statusBody = z.strictObject({ status: z.enum(['active', 'suspended']) });

/**
 * Operators (organisation admins) register users and devices at their CA and
 * suspend or reactivate them. The registration is signed on the operator's
 * device with their registrar key and relayed unchanged; the gateway checks
 * it is the signed-in operator's and what it registers before relaying.
 */
export function operatorRoutes(api: ApiRoutes, deps: OperatorDeps): void {
  async function relay(
    req: Parameters<typeof signedInOperator>[0],
    signed: SignedCaRequest,
    roles: readonly string[],
  ) {
    const { account } = await signedInOperator(req, deps.accounts);
    let fields: z.output<typeof registrationFields>;
    try {
      fields = registrationFields.parse(JSON.parse(signed.body));
    } catch (error) {
      throw new HttpError(400, 'INVALID_REGISTRATION', 'the registration body is not one MedShare allows', {
        cause: error,
      });
    }
    const role = fields.attrs[0].value;
    if (!roles.includes(role))
      throw new HttpError(400, 'INVALID_ROLE', `role must be one of ${roles.join(', ')}`);
    const ca = deps.caOf(account.mspId);
    if (fields.caname !== ca.endpoint.caName) {
      throw new HttpError(400, 'WRONG_CA', `register at your organisation's CA, ${ca.endpoint.caName}`);
    }
    const signer = Buffer.from(signed.authorization.split('.')[0] ?? '', 'base64').toString('utf8');
    if (signer !== account.certificatePem) {
      throw new HttpError(403, 'NOT_YOUR_SIGNATURE', 'the registration must be signed with your own key');
    }
    return { account, fields, role, ca };
  }

  api.add(
    {
      method: 'post',
      path: '/api/operator/users',
      tag: 'operator',
      summary: 'Register a user at the organisation CA (signed by the operator) and invite them',
      audience: 'operator',
      body: signedRegistration,
      responses: {
        201: '{accountId, enrollmentId, role, secret}: hand the secret to the user out of band',
        409: 'ALREADY_EXISTS',
      },
    },
    async (req, res, body) => {
      // Clinical roles only: admins and gateways come from the CA's bootstrap registrar, never an invitation.
      const { account, fields, role } = await relay(req, body.registration, INVITABLE_ROLES);
      if (deps.accounts.byLogin(account.mspId, fields.id)) {
        throw new HttpError(409, 'ALREADY_EXISTS', `${fields.id} is already invited or enrolled`);
      }
      const { secret } = await deps.caOf(account.mspId).register(body.registration);
      const invited = deps.accounts.invite({
        mspId: account.mspId,
        enrollmentId: fields.id,
        role: role as (typeof INVITABLE_ROLES)[number],
      });
      res.status(201).json({ accountId: invited.accountId, enrollmentId: fields.id, role, secret });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/api/operator/devices',
      tag: 'operator',
      summary: 'Register a device agent at the organisation CA (signed by the operator)',
      audience: 'operator',
      body: signedRegistration,
      responses: { 201: '{enrollmentId, secret}: give both to the device agent\u2019s enrol command' },
    },
    async (req, res, body) => {
      const { fields, ca } = await relay(req, body.registration, ['device']);
      const { secret } = await ca.register(body.registration);
      res.status(201).json({ enrollmentId: fields.id, secret });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/operator/accounts',
      tag: 'operator',
      summary: 'The organisation\u2019s accounts',
      audience: 'operator',
      responses: { 200: '{accounts: [...]}' },
    },
    async (req, res) => {
      const { account } = await signedInOperator(req, deps.accounts);
      res.json({ accounts: deps.accounts.list(account.mspId).map(publicAccount) });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/api/operator/accounts/:accountId/status',
      tag: 'operator',
      summary: 'Suspend or reactivate an account (sign registry:SuspendUser too, for the ledger)',
      audience: 'operator',
      body: statusBody,
      responses: { 200: 'the account', 404: 'no such account in the organisation' },
    },
    async (req, res, body) => {
      const { account } = await signedInOperator(req, deps.accounts);
      const target = deps.accounts.byId(String(req.params.accountId));
      if (target?.mspId !== account.mspId) throw new HttpError(404, 'NOT_FOUND', 'no such account');
      if (target.accountId === account.accountId) {
        throw new HttpError(409, 'CANNOT_SUSPEND_SELF', 'an operator cannot change their own status');
      }
      res.json(publicAccount(deps.accounts.setStatus(target.accountId, body.status)));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/operator/devices',
      tag: 'operator',
      summary: 'The organisation\u2019s enrolled devices',
      audience: 'operator',
      responses: { 200: '{devices: [...]}' },
    },
    async (req, res) => {
      const { account } = await signedInOperator(req, deps.accounts);
      res.json({ devices: deps.devices.list(account.mspId) });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/api/operator/devices/:deviceId/status',
      tag: 'operator',
      summary: 'Suspend or reactivate a device',
      audience: 'operator',
      body: statusBody,
      responses: { 200: '{deviceId, status}', 404: 'no such device in the organisation' },
    },
    async (req, res, body) => {
      const { account } = await signedInOperator(req, deps.accounts);
      const device = deps.devices.get(String(req.params.deviceId));
      if (device?.mspId !== account.mspId) throw new HttpError(404, 'NOT_FOUND', 'no such device');
      deps.devices.setStatus(device.deviceId, body.status);
      res.json({ deviceId: device.deviceId, status: body.status });
    },
  );

  operatorHealthRoutes(api, deps);
}
