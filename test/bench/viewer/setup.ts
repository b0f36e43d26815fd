import {
  bundleSize,
  createBundleStream,
  sendRecord,
  STUDY_MEDIA_TYPE,
  syntheticStudy,
  type SyntheticFile,
} from 'medshare-gateway-app';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openUserBrowser, submitPassword, type UserBrowser } from '../../support/browser';
import {
  emergencyKeySetOf,
  enrolTestUser,
  freePort,
  freshCode,
  httpDeviceAgent,
  operatorOf,
  startDeviceAgent,
  startGateway,
  type RunningGateway,
  type TestUser,
} from '../../support/medshare';
import { startTestNetwork, type TestNetwork } from '../../support/network';

/** A patient signed in in Chromium, and a technologist who sends them studies, on a network of their own. */
export interface ViewerBench {
  gw: RunningGateway;
  tech: TestUser;
  patient: TestUser;
  page: Page;
  close(): Promise<void>;
}

/**
 * Brings up a Raft network, a gateway, hospital A's device agent and both of its operators (its emergency
 * key set in force, which a send to hospital A needs), a technologist and a patient of hospital A, and the
 * patient signed in in Chromium with their keys restored from the backup, as a person does.
 */
export async function startViewerBench(): Promise<ViewerBench> {
  const stack: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
  };
  try {
    const network: TestNetwork = await startTestNetwork('raft');
    stack.push(async () => {
      await network.down();
    });
    const org = network.plan.peerOrgs[0] ?? raise('no peer organisation');
    const agentPort = await freePort();
    const gw = await startGateway(network.plan, {
      GATEWAY_DEVICE_AGENTS: `${org.mspId}=http://127.0.0.1:${String(agentPort)}`,
    });
    stack.push(() => gw.close());
    const operator = await operatorOf(gw, org, httpDeviceAgent('http://127.0.0.1:1'));
    const agent = await startDeviceAgent(gw, operator, 'device.bench', [gw.url], agentPort);
    stack.push(() => agent.close());
    operator.agent = httpDeviceAgent(agent.url);
    const second = await operatorOf(gw, org, operator.agent, { second: true });
    await emergencyKeySetOf(operator, second);
    const tech = await enrolTestUser(gw, operator, 'tech.bench', 'technologist', operator.agent);
    const patient = await enrolTestUser(gw, operator, 'patient.bench', 'patient', operator.agent);
    const browser: Browser = await launchChromium();
    stack.push(() => browser.close());
    const user: UserBrowser = await openUserBrowser(browser, gw.url, 'patient.bench', []);
    const { page } = user;
    page.setDefaultTimeout(600_000);
    await submitPassword(page, { mspId: org.mspId, name: patient.name, password: patient.password });
    await page.getByLabel('Authenticator code').fill(await freshCode(patient.totpSecret, patient.lastStep));
    await page.getByRole('button', { name: 'Verify code' }).click();
    await page.getByLabel('Backup passphrase').fill('a passphrase for tests');
    await page.getByRole('button', { name: 'Restore keys' }).click();
    await page.getByRole('heading', { name: 'Records', exact: true }).waitFor();
    return { gw, tech, patient, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * A synthetic CT study of `slices` slices of `size` × `size`, 16 bits. Made before the bench's network and
 * browser start: generating a large study takes the event loop for seconds, which would let the HTTP
 * client's idle connections go stale under it.
 */
export function studyFiles(slices: number, size: number): SyntheticFile[] {
  return syntheticStudy({
    slices,
    rows: size,
    columns: size,
    bits: 16,
    transferSyntax: 'explicit-le',
    seed: slices,
  });
}

/** Sends `files` from the technologist to the patient as one study record. */
export async function sendStudy(
  bench: ViewerBench,
  files: readonly SyntheticFile[],
): Promise<{ recordId: string; bytes: number }> {
  const entries = files.map((f) => ({
    name: f.name,
    size: f.bytes.length,
    mediaType: 'application/dicom',
    lastModified: 0,
    stream: () => new Blob([f.bytes]).stream(),
  }));
  const bytes = bundleSize(entries);
  const { tech, patient } = bench;
  const { recordId } = await sendRecord(tech.client, tech.keys, tech.agent, {
    recipientId: patient.keys.userId,
    plaintext: createBundleStream(entries),
    size: bytes,
    mediaType: STUDY_MEDIA_TYPE,
  });
  return { recordId, bytes };
}

function raise(message: string): never {
  throw new Error(message);
}
