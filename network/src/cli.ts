import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NetworkError } from './errors';
import { locateBinaries } from './binaries';
import { addPrivilegedIdentity, PRIVILEGED_ROLES, type PrivilegedRole } from './identities';
import { down, resolveRunningPlan, startNode, status, stopNode, up, type NetworkOptions } from './network';
import { revoke } from './revocation';
import { summarise } from './summary';

const USAGE = [
  'usage: network <up|down|status|stop-node NAME|start-node NAME> [--base-port N] [--consensus raft|bft] [--run-dir DIR] [--description FILE] [--clean]',
  '       network identity add --org ORG --role admin|gateway NAME   (with the CA bootstrap registrar)',
  '       network revoke --org ORG NAME                              (CA revocation, CRL into the channel MSP)',
].join('\n');

/** The peer organisation `--org` names, in a network that has been brought up. */
async function peerOrgOf(options: NetworkOptions, key: string | undefined) {
  if (key === undefined) throw new NetworkError('USAGE', `--org is required; ${USAGE}`);
  const plan = await resolveRunningPlan(options);
  const org = plan.peerOrgs.find((o) => o.key === key);
  if (!org) {
    throw new NetworkError(
      'USAGE',
      `no peer organisation ${key}; one of ${plan.peerOrgs.map((o) => o.key).join(', ')}`,
    );
  }
  return org;
}

function isPrivilegedRole(value: string | undefined): value is PrivilegedRole {
  return (PRIVILEGED_ROLES as readonly (string | undefined)[]).includes(value);
}

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function main(argv: string[]): Promise<number> {
  const repoDir = resolve(__dirname, '..', '..');
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'base-port': { type: 'string' },
      consensus: { type: 'string' },
      'run-dir': { type: 'string' },
      description: { type: 'string' },
      clean: { type: 'boolean', default: false },
      org: { type: 'string' },
      role: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  const basePort = values['base-port'] === undefined ? undefined : Number(values['base-port']);
  if (basePort !== undefined && (!Number.isInteger(basePort) || basePort < 1024 || basePort > 60000)) {
    throw new NetworkError(
      'USAGE',
      `--base-port must be a whole number from 1024 to 60000, not ${values['base-port'] ?? ''}`,
    );
  }
  const consensus = values.consensus;
  if (consensus !== undefined && consensus !== 'raft' && consensus !== 'bft') {
    throw new NetworkError('USAGE', `--consensus must be raft or bft, not ${consensus}`);
  }
  const options: NetworkOptions = {
    repoDir,
    descriptionFile: resolve(values.description ?? resolve(repoDir, 'network', 'consortium.yaml')),
    ...(basePort !== undefined ? { basePort } : {}),
    ...(consensus !== undefined ? { consensus } : {}),
    ...(values['run-dir'] !== undefined ? { runDir: resolve(values['run-dir']) } : {}),
    report: out,
  };
  switch (command) {
    case 'up': {
      const started = Date.now();
      const result = await up(options);
      if (result.alreadyRunning) {
        out(`Network ${result.plan.name} in ${result.plan.runDir} is already running; nothing to do.`);
      } else {
        out(`Network up in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      }
      summarise(result.plan, repoDir).forEach(out);
      return 0;
    }
    case 'down': {
      const result = await down({ ...options, clean: values.clean });
      out(
        result.stopped.length === 0
          ? `Nothing was running in ${result.runDir}.`
          : `Stopped ${result.stopped.length} processes: ${result.stopped.join(', ')}.`,
      );
      out(
        values.clean
          ? `Removed ${result.runDir}.`
          : `Data kept in ${result.runDir} (use --clean to remove it).`,
      );
      return 0;
    }
    case 'status': {
      const result = await status(options);
      if (!result.saved) {
        out(`No network has been brought up in ${result.plan.runDir}.`);
        return 3;
      }
      summarise(result.plan, repoDir, result.processes).forEach(out);
      const down = result.processes.filter((p) => !p.ready).length;
      out(
        down === 0
          ? 'All processes are ready.'
          : `${down} of ${result.processes.length} processes are not ready.`,
      );
      return down === 0 ? 0 : 3;
    }
    case 'stop-node':
    case 'start-node': {
      const name = positionals[1];
      if (!name) throw new NetworkError('USAGE', `${command} needs a process name; ${USAGE}`);
      if (command === 'stop-node') {
        out((await stopNode(options, name)) ? `Stopped ${name}.` : `${name} was not running.`);
      } else {
        await startNode(options, name);
      }
      return 0;
    }
    case 'identity': {
      const name = positionals[2];
      if (positionals[1] !== 'add' || !name) throw new NetworkError('USAGE', USAGE);
      if (!isPrivilegedRole(values.role)) {
        throw new NetworkError(
          'USAGE',
          `--role must be admin or gateway, not ${values.role ?? '(none)'}: operators invite clinical users from their gateway`,
        );
      }
      const org = await peerOrgOf(options, values.org);
      out(`Registering ${name} as ${values.role} of ${org.mspId} with ${org.ca.name}'s bootstrap registrar,`);
      out('the only registrar that may issue the powers attribute admins and gateways need.');
      const files = await addPrivilegedIdentity(
        repoDir,
        org,
        await locateBinaries(repoDir),
        name,
        values.role,
      );
      out(`Enrolled ${name}: certificate ${files.signCert}; its private key is beside it (keystore/).`);
      out(
        values.role === 'admin'
          ? 'Hand it to the new operator only (medshare-gateway-admin bootstrap-operator --admin-msp-dir ...); it registers itself on the ledger at first sign-in.'
          : 'Give it to the new gateway only; it announces itself on the ledger when it starts.',
      );
      return 0;
    }
    case 'revoke': {
      const name = positionals[1];
      if (!name) throw new NetworkError('USAGE', `revoke needs an identity name; ${USAGE}`);
      const org = await peerOrgOf(options, values.org);
      out(`Revoking ${name} of ${org.mspId}`);
      const result = await revoke(options, org.key, name);
      out(`Revoked certificate serial(s) ${result.serials.join(', ') || '(none issued)'} at ${org.ca.name}.`);
      out(
        `Peers and orderers refuse ${name} from configuration block ${String(result.configBlock)} (CRL ${result.crlFile}).`,
      );
      const ledger = result.ledger;
      out(
        ledger.outcome === 'suspended' || ledger.outcome === 'already suspended'
          ? `Registry entry ${ledger.userId}: ${ledger.outcome}.`
          : ledger.outcome === 'not registered'
            ? 'No registry entry to suspend.'
            : `Registry entry not suspended (${ledger.reason}); suspend it as an operator: medshare operator suspend.`,
      );
      return 0;
    }
    default:
      throw new NetworkError('USAGE', `unknown command ${command}; ${USAGE}`);
  }
}

// A closed pipe (`network status | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof NetworkError) {
      process.stderr.write(`network: ${error.message}\n`);
      for (const line of error.details) process.stderr.write(`  | ${line}\n`);
      process.exitCode = error.code === 'USAGE' ? 2 : 1;
    } else {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`network: ${message}\n`);
      process.exitCode = 1;
    }
  },
);
