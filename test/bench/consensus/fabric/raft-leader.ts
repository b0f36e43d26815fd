import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NetworkPlan } from 'medshare-network';

const TIMESTAMP = /(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})/;
const OWN_ID = /channel=\S+ node=(\d+)/;
const LEADER_CHANGED = /Raft leader changed: \d+ -> (\d+)/;

/** The latest leader change an orderer logged, and its own Raft id. */
async function readLog(file: string): Promise<{ ownId?: string; at?: string; leader?: string }> {
  const text = await readFile(file, 'utf8').catch(() => '');
  let ownId: string | undefined;
  let at: string | undefined;
  let leader: string | undefined;
  for (const line of text.split('\n')) {
    ownId ??= OWN_ID.exec(line)?.[1];
    const changed = LEADER_CHANGED.exec(line);
    if (changed) {
      leader = changed[1];
      at = TIMESTAMP.exec(line)?.[1];
    }
  }
  return { ownId, at, leader };
}

/**
 * The name of the orderer that leads the channel's Raft cluster, from the
 * orderers' logs: the most recent "Raft leader changed: a -> b" names its id,
 * and each orderer's log names its own id. Waits up to `timeoutMs` while
 * there is none, or while it is still `former` (a killed leader, whose
 * followers take an election timeout to notice).
 */
export async function raftLeader(plan: NetworkPlan, former?: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const logs = await Promise.all(
      plan.ordererOrg.nodes.map(async (node) => ({
        name: node.name,
        ...(await readLog(join(plan.runDir, 'logs', `${node.name}.log`))),
      })),
    );
    const latest = logs
      .filter((l) => l.at !== undefined && l.leader !== undefined)
      .sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''))
      .at(-1);
    const leader = latest && latest.leader !== '0' ? logs.find((l) => l.ownId === latest.leader) : undefined;
    if (leader && leader.name !== former) return leader.name;
    if (Date.now() > deadline) throw new Error('no Raft leader in the orderers’ logs');
    await sleep(500);
  }
}
