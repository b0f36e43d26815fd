import { Command, InvalidArgumentError } from 'commander';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sendRecord } from '../../client/flows';
import {
  DicomEdgeError,
  deidentifyStudy,
  parseAeTitle,
  parseRouteRule,
  pushInstances,
  startDicomEdge,
  studyPlaintext,
  type EdgeEvent,
  type RouteRule,
} from '../../dicom-edge';
import { STUDY_MEDIA_TYPE, readBundle } from '../../study';
import { hasDicomPrefix } from '../../viewer/parse-dicom';
import { parseAgentUrl, parsePurpose, parseRecordId, type Purpose } from './args';
import { withAgentOption, withCommonOptions } from './common';
import { dicomLabel } from './label';
import { openFromWorkstation } from './open-record';
import { emit } from './output';
import { deviceAgentOf, withWorkstation, type CommonOptions, type Runtime } from './workstation';

/** An AE title option: commander reports a bad one as a usage error naming the option. */
function aeTitleArg(value: string): string {
  try {
    return parseAeTitle(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function routeArg(value: string, previous: RouteRule[] = []): RouteRule[] {
  try {
    return [...previous, parseRouteRule(value)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function allowArg(value: string, previous: string[] = []): string[] {
  return [...previous, aeTitleArg(value)];
}

function portArg(value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65535) throw new InvalidArgumentError('a port is 0 to 65535');
  return port;
}

function secondsArg(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds < 0.5 || seconds > 3600) {
    throw new InvalidArgumentError('the quiet period is 0.5 to 3600 seconds');
  }
  return seconds;
}

/** One event as a line: its name, then `key=value` pairs. */
export function eventLine(event: EdgeEvent): string {
  const { event: name, ...rest } = event;
  const pairs = Object.entries(rest).map(([key, value]) =>
    typeof value === 'string' && /\s/.test(value)
      ? `${key}=${JSON.stringify(value)}`
      : `${key}=${String(value)}`,
  );
  return [name, ...pairs].join(' ');
}

/** Resolves on SIGINT or SIGTERM: how a long-running command is asked to stop. */
function processStop(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

interface ReceiveOptions extends CommonOptions {
  ae: string;
  host: string;
  port: number;
  allow: string[];
  route: RouteRule[];
  spool: string;
  quietSeconds: number;
  agent?: string;
  deidentify?: boolean;
}

async function receive(options: ReceiveOptions, runtime: Runtime): Promise<void> {
  const print = (event: EdgeEvent): void => {
    runtime.out.write(`${options.json ? JSON.stringify(event) : eventLine(event)}\n`);
  };
  const spoolDir = resolve(options.spool);
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const keys = await station.keys();
    const agent = deviceAgentOf(options.agent, runtime.env);
    const edge = await startDicomEdge({
      aeTitle: options.ae,
      allowedCallingAes: new Set(options.allow),
      host: options.host,
      port: options.port,
      spoolDir,
      quietMs: options.quietSeconds * 1000,
      routes: options.route,
      onEvent: print,
      send: async (study) => {
        const copy = options.deidentify ? await deidentifyStudy(study, spoolDir) : undefined;
        try {
          const sending = copy?.study ?? study;
          const plaintext = studyPlaintext(sending);
          const [first] = sending.instances;
          const sent = await sendRecord(station.client, keys, agent, {
            recipientId: study.to,
            ...(first ? { label: dicomLabel(await readFile(first.path), sending.instances.length) } : {}),
            plaintext: plaintext.stream,
            size: plaintext.size,
            mediaType: plaintext.mediaType,
          });
          return { recordId: sent.recordId, txId: sent.txId };
        } finally {
          await copy?.remove();
        }
      },
    });
    await (runtime.untilStopped ?? processStop)();
    await edge.close();
  });
}

interface PushOptions extends CommonOptions {
  toAe: string;
  host: string;
  port: number;
  ae: string;
  purpose?: Purpose;
  agent?: string;
}

async function push(recordId: string, options: PushOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const { purpose, opened } = await openFromWorkstation(station, recordId, options, runtime);
    // Decrypted into a private folder and pushed only once the whole record has been read and
    // authenticated: nothing of a truncated or tampered record reaches the PACS.
    const dir = await mkdtemp(join(tmpdir(), 'medshare-push-'));
    try {
      const files: string[] = [];
      const keepIfDicom = async (name: string, bytes: Uint8Array): Promise<void> => {
        if (!hasDicomPrefix(bytes)) return;
        const path = join(dir, `${String(files.length + 1).padStart(5, '0')}-${name}`);
        await writeFile(path, bytes, { mode: 0o600 });
        files.push(path);
      };
      if (opened.envelope.mediaType === STUDY_MEDIA_TYPE) {
        for await (const entry of readBundle(opened.plaintext))
          await keepIfDicom(`${String(entry.index)}.dcm`, entry.bytes);
      } else {
        await keepIfDicom('instance.dcm', new Uint8Array(await new Response(opened.plaintext).arrayBuffer()));
      }
      if (files.length === 0) {
        throw new DicomEdgeError('NOTHING_TO_PUSH', `record ${recordId} holds no DICOM instance`);
      }
      const pushed = await pushInstances(
        { host: options.host, port: options.port, calledAe: options.toAe, callingAe: options.ae },
        files,
      );
      const target = `${options.toAe} at ${options.host}:${String(options.port)}`;
      emit(
        runtime.out,
        options.json === true,
        { recordId, purpose, accessTxId: opened.accessTxId, ...pushed, calledAe: options.toAe },
        [
          `opened ${recordId} for ${purpose} (access tx ${opened.accessTxId})`,
          `pushed ${String(pushed.stored)} instances to ${target}${pushed.warnings > 0 ? ` (${String(pushed.warnings)} with a warning)` : ''}`,
        ],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

/** `dicom receive` and `dicom push`: the workstation's DICOM edge to modalities and PACS. */
export function dicomCommand(runtime: Runtime): Command {
  const receiveCommand = withAgentOption(
    withCommonOptions(
      new Command('receive')
        .description(
          'a C-STORE SCP: receive studies from modalities and PACS, and send each, encrypted here, to the recipient a route names',
        )
        .requiredOption('--ae <title>', 'this edge\u2019s AE title', aeTitleArg)
        .requiredOption('--port <n>', 'the port to listen on (0 for any free port, printed)', portArg)
        .option('--host <address>', 'the address to listen on', '127.0.0.1')
        .requiredOption(
          '--allow <calling-ae>',
          'a calling AE title allowed to store (repeat for more)',
          allowArg,
        )
        .requiredOption(
          '--route <rule>',
          'calling-ae:AE=USER-ID, tag:KEYWORD:VALUE=USER-ID or default=USER-ID; first match wins (repeat)',
          routeArg,
        )
        .requiredOption('--spool <dir>', 'where received studies wait, and unrouted or failed ones are kept')
        .option(
          '--quiet-seconds <s>',
          'a study is complete once nothing arrived for it this long',
          secondsArg,
          30,
        ),
    ),
    parseAgentUrl,
  ).action((options: ReceiveOptions) => receive(options, runtime));

  const pushCommand = withAgentOption(
    withCommonOptions(
      new Command('push')
        .description(
          'open a record (recorded on the ledger) and push its DICOM instances to a PACS by C-STORE',
        )
        .argument('<record-id>', 'the record', parseRecordId)
        .requiredOption('--to-ae <title>', 'the PACS\u2019s AE title', aeTitleArg)
        .requiredOption('--host <address>', 'the PACS\u2019s address')
        .requiredOption('--port <n>', 'the PACS\u2019s DICOM port', portArg)
        .option('--ae <title>', 'this workstation\u2019s calling AE title', aeTitleArg, 'MEDSHARE')
        .option(
          '--purpose <purpose>',
          'TREAT, PATRQT, CAREMGT, HOPERAT or ETREAT (default PATRQT for patients, else TREAT)',
          parsePurpose,
        ),
    ),
    parseAgentUrl,
  ).action((recordId: string, options: PushOptions) => push(recordId, options, runtime));

  return new Command('dicom')
    .description('the DICOM edge: receive studies from modalities and PACS, push opened ones to a PACS')
    .addCommand(receiveCommand)
    .addCommand(pushCommand);
}
