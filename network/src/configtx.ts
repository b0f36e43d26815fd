import { join } from 'node:path';
import type { NetworkPlan, OrgPlan } from './topology';
import { nodeTls } from './layout';

interface Policy {
  Type: 'Signature' | 'ImplicitMeta';
  Rule: string;
}
const sig = (rule: string): Policy => ({ Type: 'Signature', Rule: rule });
const meta = (rule: string): Policy => ({ Type: 'ImplicitMeta', Rule: rule });

function organisation(org: OrgPlan): Record<string, unknown> {
  const m = org.mspId;
  const common = { Name: m, ID: m, MSPDir: org.mspDir };
  if (org.role === 'orderer') {
    return {
      ...common,
      Policies: {
        Readers: sig(`OR('${m}.member')`),
        Writers: sig(`OR('${m}.member')`),
        Admins: sig(`OR('${m}.admin')`),
      },
      OrdererEndpoints: org.nodes.map((n) => n.address),
    };
  }
  return {
    ...common,
    Policies: {
      Readers: sig(`OR('${m}.admin', '${m}.peer', '${m}.client')`),
      Writers: sig(`OR('${m}.admin', '${m}.client')`),
      Admins: sig(`OR('${m}.admin')`),
      Endorsement: sig(`OR('${m}.peer')`),
    },
    AnchorPeers: org.nodes.slice(0, 1).map((n) => ({ Host: '127.0.0.1', Port: n.port })),
  };
}

/**
 * The configtx.yaml document for the application channel: organisations,
 * policies, capabilities and the ordering service (etcdraft or SmartBFT).
 * Anchor peers are part of the genesis block.
 */
export function configtxDocument(plan: NetworkPlan): Record<string, unknown> {
  const ordererOrg = plan.ordererOrg;
  const consenters = ordererOrg.nodes.map((n, i) => {
    const tls = nodeTls(n);
    return {
      id: i + 1,
      host: '127.0.0.1',
      port: n.port,
      cert: tls.cert,
      identity: join(n.dir, 'msp', 'signcerts', 'cert.pem'),
    };
  });
  const orderer: Record<string, unknown> = {
    OrdererType: plan.consensus === 'raft' ? 'etcdraft' : 'BFT',
    BatchTimeout: plan.batch.timeout,
    BatchSize: {
      MaxMessageCount: plan.batch.maxMessageCount,
      AbsoluteMaxBytes: plan.batch.absoluteMaxBytes,
      PreferredMaxBytes: plan.batch.preferredMaxBytes,
    },
    Organizations: [organisation(ordererOrg)],
    Policies: {
      Readers: meta('ANY Readers'),
      Writers: meta('ANY Writers'),
      Admins: meta('MAJORITY Admins'),
      BlockValidation: meta('ANY Writers'),
    },
    Capabilities: { V2_0: true },
  };
  if (plan.consensus === 'raft') {
    orderer.EtcdRaft = {
      Consenters: consenters.map((c) => ({
        Host: c.host,
        Port: c.port,
        ClientTLSCert: c.cert,
        ServerTLSCert: c.cert,
      })),
      Options: {
        TickInterval: '500ms',
        ElectionTick: 10,
        HeartbeatTick: 1,
        MaxInflightBlocks: 5,
        SnapshotIntervalSize: '16 MB',
      },
    };
  } else {
    orderer.ConsenterMapping = consenters.map((c) => ({
      ID: c.id,
      Host: c.host,
      Port: c.port,
      MSPID: ordererOrg.mspId,
      Identity: c.identity,
      ClientTLSCert: c.cert,
      ServerTLSCert: c.cert,
    }));
    orderer.SmartBFT = {
      RequestBatchMaxCount: plan.batch.maxMessageCount,
      RequestBatchMaxInterval: plan.batch.timeout,
      RequestForwardTimeout: '2s',
      RequestComplainTimeout: '20s',
      RequestAutoRemoveTimeout: '3m0s',
      ViewChangeResendInterval: '5s',
      ViewChangeTimeout: '20s',
      LeaderHeartbeatTimeout: '1m0s',
      LeaderHeartbeatCount: 10,
      CollectTimeout: '1s',
      IncomingMessageBufferSize: 200,
      RequestPoolSize: 100000,
    };
  }
  return {
    Profiles: {
      MedShareChannel: {
        Policies: {
          Readers: meta('ANY Readers'),
          Writers: meta('ANY Writers'),
          Admins: meta('MAJORITY Admins'),
        },
        Capabilities: { V3_0: true },
        Orderer: orderer,
        Application: {
          Organizations: plan.peerOrgs.map(organisation),
          Policies: {
            Readers: meta('ANY Readers'),
            Writers: meta('ANY Writers'),
            Admins: meta('MAJORITY Admins'),
            LifecycleEndorsement: meta('MAJORITY Endorsement'),
            Endorsement: meta('MAJORITY Endorsement'),
          },
          Capabilities: { V2_5: true },
        },
      },
    },
  };
}
