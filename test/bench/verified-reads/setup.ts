import { callLedger, httpDeviceAgent, loadKeyFile, trustBundleOf } from 'medshare-gateway-app';
import { enrolTestUser, operatorOf, type RunningGateway } from '../../support/medshare';
import type { ReadBenchSetup } from './measure';

/**
 * A reader for the benchmark on a running gateway: the first operator of the
 * plan's first peer organisation, who enrols a patient (the registry entry
 * the benchmark reads) and sets the organisation's break-glass opening limit
 * (the transaction the commit proof finds).
 */
export async function readBenchSetup(gw: RunningGateway): Promise<ReadBenchSetup> {
  const [org, other] = gw.plan.peerOrgs;
  if (!org || !other) throw new Error('the benchmark needs two peer organisations');
  // The operator sends nothing, so no device agent is asked.
  const operator = await operatorOf(gw, org, httpDeviceAgent('http://127.0.0.1:9'));
  const keyFile = await loadKeyFile(operator.keyFile ?? '');
  // The registry entry the benchmark reads, and a transaction for the commit proof to find.
  const patient = await enrolTestUser(gw, operator, 'reader1', 'patient', operator.agent);
  const { txId } = await callLedger(operator.client, operator.keys, 'emergency:SetOpeningLimit', ['3']);
  return {
    plan: gw.plan,
    org,
    other,
    keyFile,
    trust: await trustBundleOf(gw.plan),
    client: operator.client,
    keys: operator.keys,
    committedTxId: txId,
    readUserId: patient.keys.userId,
  };
}
