import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import solc from 'solc';
import { EthBenchError } from './errors';

/** The source of the paper's contract, in the source tree (tsc does not copy it to dist). */
export const MEDSHARE_SOURCE = resolve(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'bench',
  'consensus',
  'ethereum',
  'MedShare.sol',
);

/** The EVM the contract is compiled for: the newest fork both Ganache 7 and the proof-of-work chain run. */
export const EVM_VERSION = 'london';

/** A compiled contract, ready to deploy with ethers. */
export interface CompiledContract {
  abi: unknown[];
  /** Creation bytecode, 0x-prefixed. */
  bytecode: string;
  /** For example `0.8.37+commit.…`. */
  compilerVersion: string;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

/** Compiles MedShare.sol with solc from npm (standard JSON, optimizer on, london EVM), in memory. */
export async function compileMedShare(sourcePath = MEDSHARE_SOURCE): Promise<CompiledContract> {
  const input = {
    language: 'Solidity',
    sources: { 'MedShare.sol': { content: await readFile(sourcePath, 'utf8') } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: EVM_VERSION,
      outputSelection: { 'MedShare.sol': { MedShare: ['abi', 'evm.bytecode.object'] } },
    },
  };
  const compile = solc.compile as (input: string) => string;
  const output = JSON.parse(compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  const contract = output.contracts?.['MedShare.sol']?.MedShare;
  if (errors.length > 0 || !contract) {
    throw new EthBenchError(
      'COMPILE_FAILED',
      `solc could not compile ${sourcePath}: ${errors.map((e) => e.formattedMessage).join('\n') || 'no output'}`,
    );
  }
  const version = solc.version as () => string;
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}`, compilerVersion: version() };
}
