import { Command } from 'commander';
import type { ErasureRecord } from 'medshare-chaincode';
import { ERASURE_RULE } from 'medshare-chaincode/dist/erasure-rule';
import { confirmErasure, getErasure, pendingErasures, requestErasure } from '../../client/erasure';
import { parseRecordId } from './args';
import { withCommonOptions } from './common';
import { emit, table } from './output';
import { readValueFile } from './prompt';
import { withWorkstation, type CommonOptions, type Runtime } from './workstation';

interface EraseOptions extends CommonOptions {
  reasonFile: string;
}

/** Where an erasure stands, in lines. */
export function erasureLines(e: ErasureRecord): string[] {
  const confirmed = new Set(e.confirmations.map((c) => c.mspId));
  const lines = [
    `record ${e.recordId}: erasure ${e.status}`,
    `asked by ${e.requestedBy} (${e.requesterMspId}) at ${e.requestedAt}; reason sha256 ${e.reasonHash}`,
    ...e.required.map((m) => {
      const c = e.confirmations.find((x) => x.mspId === m);
      return c ? `  ${m}: confirmed by ${c.adminId} at ${c.at}` : `  ${m}: waiting for an admin`;
    }),
  ];
  if (e.storage && e.erasedAt) {
    lines.push(
      `erased at ${e.erasedAt}: unpinned from ${String(e.storage.unpinnedFrom)} cluster peers, ` +
        `garbage-collected on ${String(e.storage.collectedOn.length)} storage nodes (${String(e.storage.blocksRemoved)} blocks), every envelope purged`,
    );
  } else if (e.status === 'erasing') {
    lines.push('approved: nobody can read the record; the storage nodes are being cleared');
  } else if (e.required.some((m) => !confirmed.has(m))) {
    lines.push(`rule: ${ERASURE_RULE}`);
  }
  return lines;
}

async function erase(recordId: string, options: EraseOptions, runtime: Runtime): Promise<void> {
  const reason = await readValueFile(options.reasonFile, 'reason');
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const { txId, erasure } = await requestErasure(station.client, await station.keys(), recordId, reason);
    emit(runtime.out, options.json === true, { txId, erasure }, [
      ...erasureLines(erasure),
      `asked in tx ${txId}; keep the reason text, only its hash is on the ledger`,
    ]);
  });
}

async function showErasure(recordId: string, options: CommonOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const erasure = await getErasure(station.client, await station.keys(), recordId);
    emit(runtime.out, options.json === true, { erasure }, erasureLines(erasure));
  });
}

async function listPending(options: CommonOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    station.requireOperator();
    const erasures = await pendingErasures(station.client, await station.keys());
    emit(
      runtime.out,
      options.json === true,
      { erasures },
      erasures.length === 0
        ? ['no erasure waits for your organisation']
        : [
            ...table([
              ['RECORD', 'ASKED BY', 'ORGANISATION', 'ASKED AT', 'CONFIRMED BY'],
              ...erasures.map((e) => [
                e.recordId,
                e.requestedBy,
                e.requesterMspId,
                e.requestedAt,
                e.confirmations.map((c) => c.mspId).join(',') || '-',
              ]),
            ]),
            'confirm one with: medshare operator confirm-erasure RECORD',
          ],
    );
  });
}

async function confirm(recordId: string, options: CommonOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    station.requireOperator();
    const { txId, erasure } = await confirmErasure(station.client, await station.keys(), recordId);
    emit(runtime.out, options.json === true, { txId, erasure }, [
      ...erasureLines(erasure),
      `confirmed in tx ${txId}`,
    ]);
  });
}

/** `erase` and `erasure`, for a record's recipient and its parties. */
export function erasureCommands(runtime: Runtime): Command[] {
  return [
    withCommonOptions(
      new Command('erase')
        .description(`ask for a record you received to be erased everywhere (${ERASURE_RULE})`)
        .argument('<record-id>', 'the record', parseRecordId)
        .requiredOption('--reason-file <file>', 'why (kept by you; only its hash goes on the ledger)'),
    ).action((recordId: string, options: EraseOptions) => erase(recordId, options, runtime)),
    withCommonOptions(
      new Command('erasure')
        .description('where the erasure of a record stands, with its evidence, as the ledger holds it')
        .argument('<record-id>', 'the record', parseRecordId),
    ).action((recordId: string, options: CommonOptions) => showErasure(recordId, options, runtime)),
  ];
}

/** `operator erasures` and `operator confirm-erasure`. */
export function operatorErasureCommands(runtime: Runtime): Command[] {
  return [
    withCommonOptions(
      new Command('erasures').description('erasure requests that wait for your organisation to confirm'),
    ).action((options: CommonOptions) => listPending(options, runtime)),
    withCommonOptions(
      new Command('confirm-erasure')
        .description(
          'confirm an erasure for your organisation; the last confirmation stops every read and clears the storage nodes',
        )
        .argument('<record-id>', 'the record', parseRecordId),
    ).action((recordId: string, options: CommonOptions) => confirm(recordId, options, runtime)),
  ];
}
