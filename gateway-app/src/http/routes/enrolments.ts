import type { RequestHandler } from 'express';
import { identityOfCertificate } from 'medshare-chaincode/dist/identity';
import { z } from 'zod';
import {
  type AccountStore,
  type TotpService,
  MAX_KEY_BACKUP_BYTES,
  hashPassword,
  seal,
  validatePasswordPolicy,
} from '../../auth';
import { fabricAttributesOf } from '../../device/certificate';
import type { DeviceRegistry } from '../../device/device-registry';
import type { Enrolment, FabricCaClient } from '../../fabric-ca/ca-client';
import { CaError } from '../../fabric-ca/errors';
import { HttpError } from '../errors';
import type { ApiRoutes } from '../routes';
import { regenerate } from '../session';

/** What the enrolment routes use. */
export interface EnrolmentDeps {
  accounts: AccountStore;
  devices: DeviceRegistry;
  totp: TotpService;
  totpKey: Buffer;
  caOf(mspId: string): FabricCaClient;
  rateLimit: RequestHandler;
}

const CSR = z
  .string()
  .max(4096)
  .regex(/^-----BEGIN CERTIFICATE REQUEST-----[\s\S]+-----END CERTIFICATE REQUEST-----\s*$/, 'a PEM CSR');
const login = {
  mspId: z.string().min(1).max(64),
  enrollmentId: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits and . _ @ -'),
  secret: z.string().min(1).max(256),
};

const userEnrolment = z.strictObject({
  ...login,
  csr: CSR,
  password: z.string().max(1024),
  encryptionPublicKey: z.base64().min(80).max(200),
  keyBackup: z.string().max(MAX_KEY_BACKUP_BYTES).optional(),
});

const deviceEnrolment = z.strictObject({ ...login, csr: CSR });

/** Relays the device's CSR and one-time secret to the organisation's CA; a wrong secret is {@link refused}. */
async function enrolAtCa(
  ca: FabricCaClient,
  body: { enrollmentId: string; secret: string; csr: string },
): Promise<Enrolment> {
  try {
    return await ca.enroll(body.enrollmentId, body.secret, body.csr);
  } catch (error) {
    throw error instanceof CaError && error.code === 'CA_AUTHENTICATION_FAILED' ? refused() : error;
  }
}

function refused(): HttpError {
  // One answer for an unknown login, a used invitation and a wrong secret: nothing to enumerate.
  return new HttpError(
    401,
    'ENROLMENT_REFUSED',
    'no open invitation matches this organisation, id and secret',
  );
}

/**
 * Enrolment with keys made on the device: the device sends a certificate
 * signing request and the one-time secret the operator handed out; the
 * gateway relays them to the organisation's CA and keeps the certificate,
 * the public encryption key and the passphrase-wrapped key backup.
 */
export function userEnrolmentRoutes(api: ApiRoutes, deps: EnrolmentDeps): void {
  api.add(
    {
      method: 'post',
      path: '/api/enrolments',
      tag: 'enrolment',
      summary: 'Enrol an invited user: CSR, password, encryption key and key backup; returns the TOTP set-up',
      audience: 'anyone',
      body: userEnrolment,
      responses: {
        201: '{certificate, caCertificate, userId, totp: {secret, uri, qrSvg}}; confirm with POST /api/session/totp',
        400: 'WEAK_PASSWORD or an invalid field',
        401: 'ENROLMENT_REFUSED',
        404: "ORGANISATION_NOT_SERVED: enrol at that organisation's own gateway",
      },
    },
    deps.rateLimit,
    async (req, res, body) => {
      // Another organisation's user is sent to their own gateway (ORGANISATION_NOT_SERVED) before anything else.
      const ca = deps.caOf(body.mspId);
      const account = deps.accounts.byLogin(body.mspId, body.enrollmentId);
      if (account?.status !== 'invited') throw refused();
      const problems = validatePasswordPolicy(body.password, { contextWords: [body.enrollmentId] });
      if (problems.length > 0) {
        throw new HttpError(400, 'WEAK_PASSWORD', problems.map((p) => p.message).join('; '), {
          details: { problems: problems.map((p) => p.code) },
        });
      }
      const enrolment = await enrolAtCa(ca, body);
      const attributes = fabricAttributesOf(enrolment.certificatePem);
      if (attributes?.role !== account.role) {
        throw new HttpError(
          409,
          'ROLE_MISMATCH',
          `the CA issued no ${account.role} certificate for this invitation`,
        );
      }
      const { userId } = identityOfCertificate(body.mspId, enrolment.certificatePem);
      const secret = deps.totp.newSecret();
      const completed = deps.accounts.completeEnrolment(account.accountId, {
        passwordHash: await hashPassword(body.password),
        certificatePem: enrolment.certificatePem,
        userId,
        encryptionPublicKey: body.encryptionPublicKey,
        keyBackup: body.keyBackup ?? null,
        totpSecretSealed: seal(secret, deps.totpKey, account.accountId),
      });
      await regenerate(req);
      req.session.pending = { accountId: completed.accountId, reason: 'enrolment', at: Date.now() };
      const totp = await deps.totp.enrolment(secret, `${body.mspId}/${body.enrollmentId}`);
      res.status(201).json({
        certificate: enrolment.certificatePem,
        caCertificate: enrolment.caCertificatePem,
        userId,
        csrfToken: req.session.csrfToken,
        totp: { secret: totp.secret, uri: totp.uri, qrSvg: totp.qrSvg },
      });
    },
  );
}

/**
 * Device agents enrol the same way, with the secret of a `role=device`
 * registration; the gateway records the device for its checks.
 */
export function deviceEnrolmentRoutes(api: ApiRoutes, deps: EnrolmentDeps): void {
  api.add(
    {
      method: 'post',
      path: '/api/enrolments/device',
      tag: 'enrolment',
      summary: 'Enrol a device agent registered by an operator: its CSR and one-time secret',
      audience: 'device-agent',
      body: deviceEnrolment,
      responses: {
        201: '{certificate, caCertificate, deviceId}',
        401: 'ENROLMENT_REFUSED',
        409: 'the registration is not a device registration',
      },
    },
    deps.rateLimit,
    async (_req, res, body) => {
      const enrolment = await enrolAtCa(deps.caOf(body.mspId), body);
      if (fabricAttributesOf(enrolment.certificatePem)?.role !== 'device') {
        throw new HttpError(409, 'NOT_A_DEVICE', 'this registration is not for a device');
      }
      const record = deps.devices.add({
        mspId: body.mspId,
        enrollmentId: body.enrollmentId,
        certificatePem: enrolment.certificatePem,
      });
      res.status(201).json({
        certificate: enrolment.certificatePem,
        caCertificate: enrolment.caCertificatePem,
        deviceId: record.deviceId,
      });
    },
  );
}
