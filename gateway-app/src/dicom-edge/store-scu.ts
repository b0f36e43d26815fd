import { Client, Transcoding, constants, log as dimseLog, requests, type responses } from 'dcmjs-dimse';
import { DicomEdgeError } from './errors';

const { Status } = constants;

/** A remote application entity to push to. */
export interface PushTarget {
  readonly host: string;
  readonly port: number;
  /** The remote (called) AE title. */
  readonly calledAe: string;
  /** This edge's (calling) AE title, which the remote's allow-list must know. */
  readonly callingAe: string;
  /** Connection and association timeout; 30 s by default. */
  readonly timeoutMs?: number;
}

/** What a push did: every instance was stored, with or without a warning status. */
export interface PushResult {
  readonly stored: number;
  /** How many of them the remote stored with a warning (coerced or discarded elements, PS3.4 B.2.3). */
  readonly warnings: number;
}

/** C-STORE statuses that mean stored: success, and the warnings of PS3.4 B.2.3 (coercion, elements). */
function isStored(status: number): boolean {
  return status === Status.Success || (status & 0xf000) === 0xb000;
}

/**
 * Pushes DICOM Part 10 files to a remote C-STORE SCP (a PACS) over one association, with dcmjs-dimse.
 * Each file's own transfer syntax is proposed beside implicit and explicit VR little endian; when the
 * remote accepts only those, dcmjs-dimse decompresses on the way (with dcmjs-codecs, lossless).
 *
 * @throws {@link DicomEdgeError} `ASSOCIATION_REJECTED` (with the reject reason), `NETWORK` if the
 *   connection fails or closes before every instance is answered, `STORE_FAILED` if any instance is
 *   refused (its index and status in `details`).
 */
export async function pushInstances(target: PushTarget, files: readonly string[]): Promise<PushResult> {
  if (files.length === 0) throw new DicomEdgeError('NOTHING_TO_PUSH', 'there is no DICOM instance to push');
  dimseLog.setLevel('silent');
  await Transcoding.initializeAsync();
  const timeout = target.timeoutMs ?? 30_000;
  const client = new Client();
  const statuses = new Map<number, number>();
  for (const [index, file] of files.entries()) {
    const request = new requests.CStoreRequest(file);
    request.on('response', (response: responses.CStoreResponse) => {
      statuses.set(index, response.getStatus());
    });
    client.addRequest(request);
  }
  await new Promise<void>((resolve, reject) => {
    let failure: DicomEdgeError | undefined;
    client.on('associationRejected', (rejection: { result: number; source: number; reason: number }) => {
      failure = new DicomEdgeError(
        'ASSOCIATION_REJECTED',
        `${target.calledAe} rejected the association (result ${String(rejection.result)}, source ${String(rejection.source)}, reason ${String(rejection.reason)})`,
        { details: { ...rejection } },
      );
    });
    client.on('networkError', (error: Error) => {
      failure ??= new DicomEdgeError('NETWORK', `cannot push to ${target.calledAe}: ${error.message}`, {
        cause: error,
      });
    });
    client.on('closed', () => {
      if (failure) reject(failure);
      else if (statuses.size < files.length) {
        reject(
          new DicomEdgeError(
            'NETWORK',
            `${target.calledAe} closed the association after ${String(statuses.size)} of ${String(files.length)} instances`,
          ),
        );
      } else resolve();
    });
    client.send(target.host, target.port, target.callingAe, target.calledAe, {
      connectTimeout: timeout,
      associationTimeout: timeout,
      pduTimeout: timeout,
    });
  });
  const refused = [...statuses.entries()]
    .filter(([, status]) => !isStored(status))
    .map(([index, status]) => ({ index, status }));
  if (refused.length > 0) {
    const first = refused[0];
    throw new DicomEdgeError(
      'STORE_FAILED',
      `${target.calledAe} refused ${String(refused.length)} of ${String(files.length)} instances (first: status 0x${(first?.status ?? 0).toString(16).padStart(4, '0')})`,
      {
        details: {
          refused: refused.length,
          firstIndex: first?.index ?? -1,
          firstStatus: first?.status ?? -1,
        },
      },
    );
  }
  const warnings = [...statuses.values()].filter((status) => status !== Status.Success).length;
  return { stored: files.length, warnings };
}
