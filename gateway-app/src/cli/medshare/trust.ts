import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { trustBundleDigest } from '../../trust/bundle';
import { verifyTrustUpdate } from '../../trust/update';
import { loadKeyFile, saveKeyFile } from '../key-file';
import { withCommonOptions } from './common';
import { CliError } from './errors';
import { emit } from './output';
import { keyFilePathOf, type CommonOptions, type Runtime } from './workstation';

interface UpdateOptions extends CommonOptions {
  file: string;
}

async function pinnedOf(options: CommonOptions, runtime: Runtime) {
  const path = keyFilePathOf(options.keyFile, runtime.env);
  const file = await loadKeyFile(path);
  if (!file.trustBundle) {
    throw new CliError(
      'TRUST_BUNDLE_MISSING',
      'this key file pins no trust bundle: enrol again with a trust code',
    );
  }
  return { path, file, pinned: file.trustBundle };
}

async function show(options: CommonOptions, runtime: Runtime): Promise<void> {
  const { pinned } = await pinnedOf(options, runtime);
  const trustDigest = trustBundleDigest(pinned);
  emit(runtime.out, options.json === true, { trustDigest, bundle: pinned }, [
    `trust code: ${trustDigest}`,
    `consortium ${pinned.consortium}, channel ${pinned.channel}, chaincode ${pinned.chaincode}`,
    ...pinned.organisations.map(
      (o) => `  ${o.mspId} (${o.role}): ${o.name}, ${o.rootCertificates.length} CA root(s)`,
    ),
  ]);
}

async function update(options: UpdateOptions, runtime: Runtime): Promise<void> {
  const { path, file, pinned } = await pinnedOf(options, runtime);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(options.file, 'utf8'));
  } catch {
    throw new CliError('TRUST_BUNDLE_INVALID', `cannot read the trust update ${options.file} as JSON`);
  }
  // Approved by admins of a majority of the organisations this device trusts now, or refused.
  const next = await verifyTrustUpdate(value, pinned);
  await saveKeyFile(path, { ...file, trustBundle: next });
  const previous = trustBundleDigest(pinned);
  const trustDigest = trustBundleDigest(next);
  emit(runtime.out, options.json === true, { previous, trustDigest }, [
    `trust bundle updated: ${previous} -> ${trustDigest}`,
    'your invitations now carry the new trust code',
  ]);
}

/** `trust show` and `trust update`: the trust anchors this device pinned, and an approved change to them. */
export function trustCommand(runtime: Runtime): Command {
  const trust = new Command('trust').description('the consortium trust anchors this device pinned');
  trust.addCommand(
    withCommonOptions(new Command('show').description('the pinned trust bundle and its trust code')).action(
      (options: CommonOptions) => show(options, runtime),
    ),
  );
  trust.addCommand(
    withCommonOptions(
      new Command('update')
        .description(
          'pin a new trust bundle, if admins of a majority of the organisations approved the change',
        )
        .requiredOption('--file <file>', 'the trust update (from medshare-gateway-admin trust-update)'),
    ).action((options: UpdateOptions) => update(options, runtime)),
  );
  return trust;
}
