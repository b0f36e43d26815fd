import { request } from 'node:https';
import { CA_REGISTER_PATH, type SignedCaRequest } from '../client/ca-token';
import { CaError } from './errors';

/** Where one organisation's Fabric CA listens. */
export interface CaEndpoint {
  /** https://host:port */
  url: string;
  caName: string;
  /** The CA's own certificate, which its TLS certificate chains to. */
  tlsRootCert: Buffer;
}

/** A certificate the CA issued. */
export interface Enrolment {
  certificatePem: string;
  caCertificatePem: string;
}

interface CaAnswer {
  success?: boolean;
  result?: unknown;
  errors?: { code?: number; message?: string }[];
}

const TIMEOUT_MS = 15_000;
const MAX_ANSWER = 256 * 1024;

/**
 * The part of the Fabric CA's REST API the gateway relays: enrolment with a
 * certificate signing request made on the device (the CA sees the enrolment
 * secret, the gateway forwards it, the private key stays on the device), and
 * registration signed by the operator's own key (the gateway forwards the
 * body and token byte for byte, so it cannot change what the operator signed).
 */
export class FabricCaClient {
  readonly endpoint: CaEndpoint;

  constructor(endpoint: CaEndpoint) {
    this.endpoint = endpoint;
  }

  /** Enrols `enrollmentId` with its one-time secret for the key in `csrPem`. */
  async enroll(enrollmentId: string, secret: string, csrPem: string): Promise<Enrolment> {
    const body = JSON.stringify({ certificate_request: csrPem, caname: this.endpoint.caName });
    const basic = Buffer.from(`${enrollmentId}:${secret}`, 'utf8').toString('base64');
    const answer = await this.#post('/api/v1/enroll', body, `Basic ${basic}`);
    const result = answer as { Cert?: string; ServerInfo?: { CAChain?: string } };
    if (typeof result.Cert !== 'string' || typeof result.ServerInfo?.CAChain !== 'string') {
      throw new CaError('CA_ERROR', 'the CA answered without a certificate');
    }
    return {
      certificatePem: Buffer.from(result.Cert, 'base64').toString('utf8'),
      caCertificatePem: Buffer.from(result.ServerInfo.CAChain, 'base64').toString('utf8'),
    };
  }

  /** Forwards a registration the operator signed; returns the one-time enrolment secret. */
  async register(signed: SignedCaRequest): Promise<{ secret: string }> {
    const answer = (await this.#post(CA_REGISTER_PATH, signed.body, signed.authorization)) as {
      secret?: unknown;
    };
    if (typeof answer.secret !== 'string') throw new CaError('CA_ERROR', 'the CA answered without a secret');
    return { secret: answer.secret };
  }

  /** Whether the CA answers its info endpoint. */
  async ready(): Promise<boolean> {
    try {
      await this.#post('/api/v1/cainfo', JSON.stringify({ caname: this.endpoint.caName }), undefined);
      return true;
    } catch {
      return false;
    }
  }

  async #post(path: string, body: string, authorization: string | undefined): Promise<unknown> {
    const url = new URL(path, this.endpoint.url);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          ca: this.endpoint.tlsRootCert,
          timeout: TIMEOUT_MS,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...(authorization ? { authorization } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER) req.destroy(new Error('the CA answer is too large'));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('the CA did not answer in time')));
      req.on('error', reject);
      req.end(body);
    }).catch((error: unknown) => {
      throw new CaError('CA_UNAVAILABLE', 'the organisation CA cannot be reached', { cause: error });
    });
    let answer: CaAnswer;
    try {
      answer = JSON.parse(text) as CaAnswer;
    } catch (error) {
      throw new CaError('CA_ERROR', `the CA answered ${status} without JSON`, { cause: error });
    }
    if (answer.success === true && status < 300) return answer.result;
    throw caRefusal(status, answer.errors ?? []);
  }
}

/** The CA's refusal, by its status and messages; its messages name identities, never secrets. */
function caRefusal(status: number, errors: readonly { code?: number; message?: string }[]): CaError {
  const message = errors.map((e) => e.message ?? '').join('; ') || `the CA refused (${status})`;
  if (/already registered/i.test(message)) return new CaError('ALREADY_EXISTS', message);
  if (status === 401 || /authenticat|authoriz|token|password/i.test(message)) {
    return new CaError('CA_AUTHENTICATION_FAILED', 'the CA refused the credentials or signature');
  }
  if (status === 403) return new CaError('CA_FORBIDDEN', message);
  return new CaError('CA_REFUSED', message);
}
