import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OrgPlan } from 'medshare-network';

/** Every file under `dir`, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The whole content of `cid` from `org`'s kubo node, over its RPC API; `offline` forbids asking other nodes. */
export async function kuboCat(org: OrgPlan, cid: string, offline = false): Promise<Buffer> {
  const port = org.storage?.rpcPort;
  if (port === undefined) throw new Error(`${org.key} has no storage node`);
  const response = await fetch(
    `http://127.0.0.1:${String(port)}/api/v0/cat?arg=${cid}${offline ? '&offline=true' : ''}`,
    { method: 'POST', signal: AbortSignal.timeout(30_000) },
  );
  if (!response.ok)
    throw new Error(`kubo of ${org.key}: ${String(response.status)} ${await response.text()}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Slices of `bytes` (64 bytes every `step`), to look for on disk. */
export function probesOf(bytes: Buffer, step = 64 * 1024): Buffer[] {
  const probes: Buffer[] = [];
  for (let at = 0; at + 64 <= bytes.length; at += step) probes.push(bytes.subarray(at, at + 64));
  return probes;
}

/**
 * The files of each organisation's kubo repository (its flatfs block store)
 * that hold any of `probes`: where a block of some content still lies on disk.
 */
export async function blocksHolding(orgs: readonly OrgPlan[], probes: readonly Buffer[]): Promise<string[]> {
  const found: string[] = [];
  for (const org of orgs) {
    const dir = org.storage?.ipfsDir;
    if (dir === undefined) continue;
    for (const file of await filesUnder(join(dir, 'blocks'))) {
      const bytes = await readFile(file);
      if (probes.some((p) => bytes.includes(p))) found.push(file);
    }
  }
  return found;
}
