import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import {
  Dataset,
  Scp,
  constants,
  log as dimseLog,
  responses,
  type association,
  type requests,
} from 'dcmjs-dimse';
import { readDicomText } from '../viewer/parse-dicom';
import { isSupportedTransferSyntax } from '../viewer/transfer-syntax';
import { EDGE_IMPLEMENTATION_CLASS_UID, EDGE_IMPLEMENTATION_VERSION, part10Header } from './part10';

const { PresentationContextResult, RejectReason, RejectResult, RejectSource, SopClass, Status } = constants;
const { CEchoResponse, CStoreResponse } = responses;

/** Every storage SOP class (PS3.4 B.5) lives under this root. */
const STORAGE_SOP_CLASS_ROOT = '1.2.840.10008.5.1.4.1.1.';
const SOP_CLASS_UID = 'x00080016';
const SOP_INSTANCE_UID = 'x00080018';
const STUDY_INSTANCE_UID = 'x0020000d';
const SERIES_INSTANCE_UID = 'x0020000e';
/** C-STORE failure statuses (PS3.4 B.2.3): the data set does not match its SOP class, cannot be understood. */
const STATUS_DATASET_MISMATCH = 0xa900;
const STATUS_CANNOT_UNDERSTAND = 0xc000;

/** An instance the SCP received, spooled as a DICOM Part 10 file, and the association it came in on. */
export interface ReceivedInstance {
  readonly path: string;
  readonly size: number;
  readonly callingAe: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyUid: string;
  readonly seriesUid: string;
  /** A top-level attribute's text value by dicom-parser tag; the routing rules read it. */
  readonly value: (tag: string) => string | undefined;
}

/** What the SCP reports; never a patient's data. */
export type ScpEvent =
  | { readonly event: 'association-rejected'; readonly callingAe: string; readonly reason: string }
  | { readonly event: 'association-accepted'; readonly callingAe: string; readonly contexts: number }
  | {
      readonly event: 'instance-refused';
      readonly callingAe: string;
      readonly status: number;
      readonly reason: string;
    }
  | { readonly event: 'network-error'; readonly message: string };

/** Options of {@link startStoreScp}. */
export interface StoreScpOptions {
  /** The edge's own AE title: associations calling another one are rejected. */
  readonly aeTitle: string;
  /** Calling AE titles allowed to store; every other one is rejected at association time. */
  readonly allowedCallingAes: ReadonlySet<string>;
  readonly host: string;
  /** 0 for any free port (see {@link StoreScp.port}). */
  readonly port: number;
  /** Where received files are written; it must exist and be private to this user. */
  readonly spoolDir: string;
  /**
   * Takes a received instance. The C-STORE is answered with success once it resolves, and with a failure
   * status (the file removed) if it throws.
   */
  readonly onInstance: (instance: ReceivedInstance) => Promise<void>;
  readonly onEvent: (event: ScpEvent) => void;
}

/** A running C-STORE SCP. */
export interface StoreScp {
  readonly host: string;
  readonly port: number;
  /** Stops listening and drops open associations. */
  close(): Promise<void>;
}

class RefusedInstance extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Starts a C-STORE SCP (and C-ECHO, for connectivity checks) on `host:port` with dcmjs-dimse. Each
 * accepted instance is streamed to the spool as received, in the transfer syntax the sender used, behind
 * file meta information the edge writes: nothing is decoded or re-encoded, so the file holds the data set
 * byte for byte. Associations are rejected with a DICOM A-ASSOCIATE-RJ when the called AE title is not
 * the edge's or the calling AE title is not on the allow-list; presentation contexts are accepted for the
 * storage SOP classes in the transfer syntaxes MedShare's viewer decodes.
 */
export async function startStoreScp(options: StoreScpOptions): Promise<StoreScp> {
  // dcmjs-dimse logs every DIMSE message to the console by default; the edge reports for itself.
  dimseLog.setLevel('silent');
  const spooled = new WeakMap<object, { path: string; stream: WriteStream }>();

  class EdgeScp extends Scp {
    #callingAe = '';

    override associationRequested(request: association.Association): void {
      const callingAe = request.getCallingAeTitle().trim();
      this.#callingAe = callingAe;
      const reject = (reason: number, why: string): void => {
        options.onEvent({ event: 'association-rejected', callingAe, reason: why });
        this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, reason);
      };
      if (request.getCalledAeTitle().trim() !== options.aeTitle) {
        reject(RejectReason.CalledAeNotRecognized, 'called AE title not recognized');
        return;
      }
      if (!options.allowedCallingAes.has(callingAe)) {
        reject(RejectReason.CallingAeNotRecognized, 'calling AE title not recognized');
        return;
      }
      let accepted = 0;
      for (const { id } of request.getPresentationContexts()) {
        const context = request.getPresentationContext(id);
        const sopClass = context.getAbstractSyntaxUid();
        if (sopClass !== SopClass.Verification && !sopClass.startsWith(STORAGE_SOP_CLASS_ROOT)) {
          context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
          continue;
        }
        // The sender's first choice among those the viewer decodes: no transcoding on either side.
        const syntax = context.getTransferSyntaxUids().find((uid) => isSupportedTransferSyntax(uid));
        if (syntax === undefined) {
          context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
          continue;
        }
        context.setResult(PresentationContextResult.Accept, syntax);
        accepted++;
      }
      request.setImplementationClassUid(EDGE_IMPLEMENTATION_CLASS_UID);
      request.setImplementationVersion(EDGE_IMPLEMENTATION_VERSION);
      options.onEvent({ event: 'association-accepted', callingAe, contexts: accepted });
      this.sendAssociationAccept();
    }

    override associationReleaseRequested(): void {
      this.sendAssociationReleaseResponse();
    }

    override cEchoRequest(
      request: requests.CEchoRequest,
      callback: (response: InstanceType<typeof CEchoResponse>) => void,
    ): void {
      const response = CEchoResponse.fromRequest(request);
      response.setStatus(Status.Success);
      callback(response);
    }

    override createStoreWritableStream(
      context: association.PresentationContext,
      request: requests.CStoreRequest,
    ): Writable {
      const path = join(options.spoolDir, `${randomUUID()}.dcm`);
      const stream = createWriteStream(path, { mode: 0o600 });
      stream.write(
        part10Header({
          sopClassUid: request.getAffectedSopClassUid(),
          sopInstanceUid: request.getAffectedSopInstanceUid(),
          transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? '',
          sourceAeTitle: this.#callingAe,
        }),
      );
      spooled.set(request, { path, stream });
      return stream;
    }

    override createDatasetFromStoreWritableStream(
      writable: Writable,
      context: association.PresentationContext,
      callback: (dataset: Dataset) => void,
    ): void {
      // The data set stays in the file; the request carries an empty one.
      const done = (): void => {
        callback(new Dataset({}, context.getAcceptedTransferSyntaxUid()));
      };
      if (writable.writableFinished) done();
      else writable.once('finish', done);
    }

    override cStoreRequest(
      request: requests.CStoreRequest,
      callback: (response: InstanceType<typeof CStoreResponse>) => void,
    ): void {
      const file = spooled.get(request);
      spooled.delete(request);
      const respond = (status: number): void => {
        const response = CStoreResponse.fromRequest(request);
        response.setStatus(status);
        callback(response);
      };
      if (file === undefined) {
        respond(Status.ProcessingFailure);
        return;
      }
      this.#take(request, file.path).then(
        () => {
          respond(Status.Success);
        },
        async (error: unknown) => {
          await rm(file.path, { force: true });
          const refused =
            error instanceof RefusedInstance
              ? error
              : new RefusedInstance(Status.ProcessingFailure, 'not kept');
          options.onEvent({
            event: 'instance-refused',
            callingAe: this.#callingAe,
            status: refused.status,
            reason: refused.message,
          });
          respond(refused.status);
        },
      );
    }

    async #take(request: requests.CStoreRequest, path: string): Promise<void> {
      const bytes = await readFile(path);
      let value: (tag: string) => string | undefined;
      try {
        value = readDicomText(bytes);
      } catch {
        throw new RefusedInstance(STATUS_CANNOT_UNDERSTAND, 'the data set cannot be parsed');
      }
      if (
        value(SOP_CLASS_UID) !== request.getAffectedSopClassUid() ||
        value(SOP_INSTANCE_UID) !== request.getAffectedSopInstanceUid()
      ) {
        throw new RefusedInstance(
          STATUS_DATASET_MISMATCH,
          'the data set names another SOP class or instance than its request',
        );
      }
      const studyUid = value(STUDY_INSTANCE_UID);
      const seriesUid = value(SERIES_INSTANCE_UID);
      if (studyUid === undefined || seriesUid === undefined) {
        throw new RefusedInstance(STATUS_CANNOT_UNDERSTAND, 'the data set has no study or series UID');
      }
      await options.onInstance({
        path,
        size: bytes.length,
        callingAe: this.#callingAe,
        sopClassUid: request.getAffectedSopClassUid(),
        sopInstanceUid: request.getAffectedSopInstanceUid(),
        studyUid,
        seriesUid,
        value,
      });
    }
  }

  const sockets = new Set<Socket>();
  const server: NetServer = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const scp = new EdgeScp(socket, { associationTimeout: 30_000, pduTimeout: 60_000 });
    scp.on('networkError', (error: Error) => {
      options.onEvent({ event: 'network-error', message: error.message });
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
