import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { orgAdmin, resolvePlan, type NetworkPlan, type OrgPlan } from 'medshare-network';
import { connectAs } from '../fabric/from-network';
import { storedContent, type StoredContentEntry } from '../fabric/stored-content';
import { StorageError } from '../storage/errors';
import { storeOfOrganisation } from '../storage/from-network';
import { groupByCid, reconcile, renderReport } from '../storage/reconcile';

const USAGE =
  'usage: reconcile-storage [--org KEY] [--repair] [--json] [--base-port N] [--run-dir DIR] [--description FILE]';
const REPO_DIR = resolve(__dirname, '..', '..', '..');

/** Exit codes: 0 everything replicated, 1 could not check, 2 content missing or under-replicated. */
const PROBLEMS_FOUND = 2;

async function ledgerEntries(plan: NetworkPlan, org: OrgPlan): Promise<StoredContentEntry[]> {
  const peer = org.nodes[0];
  if (!peer) throw new StorageError('INVALID_ARGUMENT', `${org.key} has no peer`);
  const connection = await connectAs(org, peer, orgAdmin(org));
  try {
    const contract = connection.gateway.getNetwork(plan.channel).getContract(plan.chaincode.name);
    const entries: StoredContentEntry[] = [];
    try {
      for (const counterpart of plan.peerOrgs) {
        for await (const entry of storedContent(contract, counterpart.mspId)) entries.push(entry);
      }
    } catch (error) {
      const details = (error as { details?: { message?: string }[] }).details ?? [];
      const text = [String(error), ...details.map((d) => d.message ?? '')].join('\n');
      if (text.includes('the caller is not registered')) {
        throw new Error(
          `admin.${org.key} has no registry entry yet, and an admin acts only through its own: sign in once as that operator (medshare login), which registers it`,
        );
      }
      throw error;
    }
    return entries;
  } finally {
    connection.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      org: { type: 'string' },
      repair: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'base-port': { type: 'string' },
      'run-dir': { type: 'string' },
      description: { type: 'string' },
    },
    strict: true,
  });
  const basePort = values['base-port'] === undefined ? undefined : Number(values['base-port']);
  if (basePort !== undefined && !Number.isInteger(basePort)) throw new Error('--base-port must be a number');
  const plan = await resolvePlan({
    repoDir: REPO_DIR,
    descriptionFile: resolve(values.description ?? join(REPO_DIR, 'network', 'consortium.yaml')),
    ...(basePort !== undefined ? { basePort } : {}),
    ...(values['run-dir'] ? { runDir: values['run-dir'] } : {}),
  });
  const org = values.org ? plan.peerOrgs.find((o) => o.key === values.org) : plan.peerOrgs[0];
  if (!org) {
    throw new Error(`--org must be one of ${plan.peerOrgs.map((o) => o.key).join(', ')}`);
  }
  const references = groupByCid(await ledgerEntries(plan, org));
  const store = await storeOfOrganisation(plan, org);
  const report = await reconcile(references, store, {
    replicationMin: plan.storage.replicationMin,
    replicationMax: plan.storage.replicationMax,
    repair: values.repair,
  });
  process.stdout.write(
    values.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report).join('\n')}\n`,
  );
  return report.problems.length > 0 ? PROBLEMS_FOUND : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`reconcile-storage: ${message}\n${message.startsWith('--') ? `${USAGE}\n` : ''}`);
    process.exitCode = 1;
  },
);
