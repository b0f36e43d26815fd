import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import type { Binaries } from './binaries';
import { configtxDocument } from './configtx';
import type { NetworkPlan } from './topology';

/**
 * Writes the network's config directory: Fabric's own core.yaml and orderer.yaml
 * from the module (core.yaml's external builders pointed at our ccaas builder;
 * everything else is overridden per node by environment) and the generated
 * configtx.yaml.
 */
export async function writeConfigFiles(plan: NetworkPlan, bin: Binaries): Promise<void> {
  await mkdir(plan.configDir, { recursive: true });
  const core = parseDocument(await readFile(join(bin.fabricConfig, 'core.yaml'), 'utf8'));
  core.setIn(['chaincode', 'externalBuilders'], [{ name: 'ccaas', path: bin.ccaasBuilder }]);
  await writeFile(join(plan.configDir, 'core.yaml'), core.toString());
  await copyFile(join(bin.fabricConfig, 'orderer.yaml'), join(plan.configDir, 'orderer.yaml'));
  await writeFile(join(plan.configDir, 'configtx.yaml'), stringify(configtxDocument(plan)));
}
