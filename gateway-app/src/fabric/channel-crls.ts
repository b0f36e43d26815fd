import { common, msp } from '@hyperledger/fabric-protos';
import type { OrganisationCrls } from '../trust/revocations';

const text = new TextDecoder();

/**
 * Each application organisation's CRLs and CA roots (PEM), as its MSP in the
 * channel configuration holds them: what peers and orderers check creators
 * against, so what the gateway checks its users', devices' and its own
 * certificates against too.
 */
export function organisationCrlsOf(configBytes: Uint8Array): OrganisationCrls[] {
  const config = common.Config.deserializeBinary(configBytes);
  const application = config.getChannelGroup()?.getGroupsMap().get('Application');
  if (!application) return [];
  const organisations: OrganisationCrls[] = [];
  application.getGroupsMap().forEach((group: common.ConfigGroup, mspId: string) => {
    const value = group.getValuesMap().get('MSP');
    if (!value) return;
    const fabric = msp.FabricMSPConfig.deserializeBinary(
      msp.MSPConfig.deserializeBinary(value.getValue_asU8()).getConfig_asU8(),
    );
    organisations.push({
      mspId: fabric.getName() || mspId,
      rootCertificates: fabric.getRootCertsList_asU8().map((b) => text.decode(b)),
      crls: fabric.getRevocationListList_asU8().map((b) => text.decode(b)),
    });
  });
  return organisations;
}
