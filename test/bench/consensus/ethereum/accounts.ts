import { concat, decodeBase58, encodeBase58, id, toBeHex, Wallet } from 'ethers';

/**
 * The benchmark's accounts, derived from fixed labels so every run (and both
 * chains) use the same ones: the contract admin, the senders (technologists),
 * the receivers (patients) and the miner's etherbase.
 */
export function accountKey(role: 'admin' | 'sender' | 'receiver' | 'miner', index = 0): string {
  return id(`medshare-bench/${role}/${index}`);
}

/** The address of {@link accountKey}. */
export function accountAddress(role: 'admin' | 'sender' | 'receiver' | 'miner', index = 0): string {
  return new Wallet(accountKey(role, index)).address;
}

/** Keys funded at genesis: the admin and `senders` senders (receivers only call `View`, which costs nothing). */
export function fundedKeys(senders: number): string[] {
  return [accountKey('admin'), ...Array.from({ length: senders }, (_, i) => accountKey('sender', i))];
}

/** Balance of every funded account: far more than any run can spend, whatever the base fee does. */
export const FUNDED_BALANCE_WEI = 10n ** 30n;

/**
 * The ipfsHash of transfer `seq`: a CIDv0 (base58 of a sha2-256 multihash,
 * 46 characters, as the paper stored) whose digest is `seq`, so a scan of the
 * chain can tell which transfer a Send carries.
 */
export function ipfsHashOf(seq: number): string {
  return encodeBase58(concat(['0x1220', toBeHex(seq, 32)]));
}

/** The `seq` an {@link ipfsHashOf} string encodes, or undefined for any other string. */
export function seqOfIpfsHash(hash: string): number | undefined {
  if (!/^Qm[1-9A-HJ-NP-Za-km-z]{44}$/.test(hash)) return undefined;
  const value = decodeBase58(hash);
  const digest = value & ((1n << 256n) - 1n);
  if (value >> 256n !== 0x1220n || digest > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(digest);
}
