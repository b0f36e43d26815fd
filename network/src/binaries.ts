import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NetworkError } from './errors';

/** Where the pinned binaries and Fabric's default config files live. */
export interface Binaries {
  fabricRelease: string;
  fabricBin: string;
  fabricConfig: string;
  fabricCaRelease: string;
  fabricCaBin: string;
  /** External builder directory (contains bin/detect, bin/build, bin/release). */
  ccaasBuilder: string;
  kuboRelease: string;
  /** Directory of kubo's `ipfs`. */
  kuboBin: string;
  ipfsClusterRelease: string;
  /** Directory of `ipfs-cluster-service` and `ipfs-cluster-ctl`. */
  ipfsClusterBin: string;
}

const REQUIRED: [keyof Binaries, string[]][] = [
  ['fabricBin', ['peer', 'orderer', 'configtxgen', 'configtxlator', 'osnadmin', 'discover']],
  ['fabricCaBin', ['fabric-ca-server', 'fabric-ca-client']],
  ['ccaasBuilder', ['bin/detect', 'bin/build', 'bin/release']],
  ['kuboBin', ['ipfs']],
  ['ipfsClusterBin', ['ipfs-cluster-service', 'ipfs-cluster-ctl']],
  ['fabricConfig', ['core.yaml', 'orderer.yaml']],
];

/**
 * Asks scripts/install-binaries.sh (the one place that knows the pins) where the
 * binaries are, and checks they have been built.
 */
export async function locateBinaries(repoDir: string): Promise<Binaries> {
  const { stdout } = await promisify(execFile)('bash', [
    join(repoDir, 'scripts', 'install-binaries.sh'),
    '--paths',
  ]);
  const values = new Map(
    stdout
      .split('\n')
      .map((line) => line.split('='))
      .filter((kv): kv is [string, string] => kv.length === 2)
      .map(([k, v]) => [k, v]),
  );
  const get = (k: string): string => {
    const v = values.get(k);
    if (!v) throw new NetworkError('BINARIES_MISSING', `install-binaries.sh --paths did not report ${k}`);
    return v;
  };
  const binaries: Binaries = {
    fabricRelease: get('FABRIC_RELEASE'),
    fabricBin: get('FABRIC_BIN'),
    fabricConfig: get('FABRIC_CONFIG'),
    fabricCaRelease: get('FABRIC_CA_RELEASE'),
    fabricCaBin: get('FABRIC_CA_BIN'),
    ccaasBuilder: get('CCAAS_BUILDER'),
    kuboRelease: get('KUBO_RELEASE'),
    kuboBin: get('KUBO_BIN'),
    ipfsClusterRelease: get('IPFS_CLUSTER_RELEASE'),
    ipfsClusterBin: get('IPFS_CLUSTER_BIN'),
  };
  for (const [dirKey, files] of REQUIRED) {
    for (const file of files) {
      const path = join(binaries[dirKey], file);
      try {
        await access(path, constants.R_OK);
      } catch {
        throw new NetworkError('BINARIES_MISSING', `${path} is missing: run npm run install:binaries`);
      }
    }
  }
  return binaries;
}
