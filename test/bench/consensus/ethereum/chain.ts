import type { NetworkProcess } from '../system';

/** A chain that has started: where the benchmark's client connects. */
export interface RunningChain {
  /** WebSocket JSON-RPC endpoint of the node the client talks to. */
  wsUrl: string;
  chainId: number;
}

/** Starts and stops the processes of one Ethereum chain. */
export interface ChainLauncher {
  /** For the report, for example "Ganache 7.9.2 (instant mining)". */
  readonly label: string;
  /** Starts the chain with `fundedKeys` prefunded; on failure stops whatever it started, then rejects. */
  start(fundedKeys: string[]): Promise<RunningChain>;
  processes(): NetworkProcess[];
  /** The chain's settings, as the report states them. */
  settings(): Record<string, string>;
  /** Stops every process it started. Safe to call twice. */
  stop(): Promise<void>;
}

/** Receives one line of progress for a human (for example "generating the ethash DAG: 40%"). */
export type ProgressLog = (line: string) => void;
