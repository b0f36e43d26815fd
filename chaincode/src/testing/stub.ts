import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { ClientIdentity } from 'fabric-shim';
import { marshal } from '../json';

interface KV {
  key: string;
  value: Uint8Array;
}

interface Iterator<T = KV> {
  next(): Promise<{ done: boolean; value: T }>;
  close(): Promise<void>;
}

interface HistoryEntry {
  txId: string;
  value: Uint8Array;
  timestamp: { seconds: number; nanos: number };
  isDelete: boolean;
}

/** Async-iterable over `items`, as the shim's range and history queries are. */
function asyncIterable<T>(items: T[]): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      let i = 0;
      return {
        next: (): Promise<IteratorResult<T>> => {
          const item = items[i++];
          return Promise.resolve(
            item === undefined ? { done: true, value: undefined } : { done: false, value: item },
          );
        },
      };
    },
  };
}

interface PagedResult {
  iterator: Iterator;
  metadata: { fetchedRecordsCount: number; bookmark: string };
}

/** A chaincode event recorded by {@link MapStub}. */
export interface RecordedEvent {
  name: string;
  payload: string;
}

function iterate<T>(items: T[], empty: T): Iterator<T> {
  let i = 0;
  return {
    next: () => {
      const item = items[i++];
      return Promise.resolve(
        item === undefined ? { done: true, value: empty } : { done: false, value: item },
      );
    },
    close: () => Promise.resolve(),
  };
}

/**
 * A map-backed stand-in for the parts of Fabric's ChaincodeStub the contracts
 * use: world state with key history, private data by collection, transient
 * data, state-based endorsement parameters and events. Writes of the current
 * transaction are recorded so tests can compare write sets.
 */
export class MapStub {
  readonly state = new Map<string, Uint8Array>();
  readonly history = new Map<string, HistoryEntry[]>();
  readonly events: RecordedEvent[] = [];
  /** Private data by collection, then key. */
  readonly privateData = new Map<string, Map<string, Uint8Array>>();
  /** State-based endorsement parameters by key. */
  readonly validationParameters = new Map<string, Uint8Array>();
  transient = new Map<string, Uint8Array>();
  /** Keys and values written by the current transaction, in order. */
  writes: [string, string][] = [];
  txId = 'tx-0';
  seconds = 1_767_225_600; // 2026-01-01T00:00:00Z
  creator: { mspid: string; idBytes: Buffer } = { mspid: '', idBytes: Buffer.alloc(0) };

  /** The current transaction's writes to world state (private data writes are keyed `collection/key`). */
  publicWrites(): [string, string][] {
    return this.writes.filter(([key]) => !key.includes('/'));
  }

  /** The collections the current transaction wrote, deleted or purged private data in, in order of first write. */
  privateCollections(): string[] {
    const written = this.writes.filter(([key]) => key.includes('/')).map(([key]) => key.split('/')[0] ?? '');
    return [...new Set(written)];
  }

  /** The envelopes (not the depositor markers beside them) held in `collection`. */
  envelopesIn(collection: string): Uint8Array[] {
    const prefix = this.createCompositeKey('envelope', []);
    return [...(this.privateData.get(collection) ?? new Map<string, Uint8Array>()).entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, value]) => value);
  }

  /** A copy of the world state and private data, to run the same proposal twice. */
  clone(): MapStub {
    const copy = new MapStub();
    this.state.forEach((v, k) => copy.state.set(k, v));
    this.privateData.forEach((data, collection) => copy.privateData.set(collection, new Map(data)));
    copy.seconds = this.seconds;
    return copy;
  }

  /** Starts a new transaction by `certificatePem` of `mspId`, `secondsLater` after the previous one. */
  begin(
    mspId: string,
    certificatePem: string,
    secondsLater = 1,
    transient: Record<string, unknown> = {},
  ): Context {
    // Canonical JSON, as devices write transient data (an envelope's hash is of these bytes).
    this.transient = new Map(Object.entries(transient).map(([k, v]) => [k, marshal(v)]));
    this.seconds += secondsLater;
    this.txId = `tx-${this.seconds}`;
    this.writes = [];
    this.events.length = 0;
    this.creator = { mspid: mspId, idBytes: Buffer.from(certificatePem) };
    const clientIdentity = new ClientIdentity(
      this as unknown as ConstructorParameters<typeof ClientIdentity>[0],
    );
    return { stub: this, clientIdentity } as unknown as Context;
  }

  getCreator(): { mspid: string; idBytes: Buffer } {
    return this.creator;
  }
  getChannelID(): string {
    return 'medshare';
  }
  getTxID(): string {
    return this.txId;
  }
  getTxTimestamp(): { seconds: { toString(): string }; nanos: number } {
    return { seconds: { toString: () => String(this.seconds) }, nanos: 0 };
  }
  getTransient(): Map<string, Uint8Array> {
    return this.transient;
  }
  createCompositeKey(type: string, attributes: string[]): string {
    return `\u0000${type}\u0000${attributes.map((a) => `${a}\u0000`).join('')}`;
  }

  getState(key: string): Promise<Uint8Array> {
    return Promise.resolve(this.state.get(key) ?? new Uint8Array());
  }
  putState(key: string, value: Uint8Array): Promise<void> {
    this.state.set(key, value);
    this.record(key, value, false);
    return Promise.resolve();
  }
  deleteState(key: string): Promise<void> {
    this.state.delete(key);
    this.record(key, new Uint8Array(), true);
    return Promise.resolve();
  }
  /** As the shim: async-iterable, newest first. */
  getHistoryForKey(key: string): AsyncIterable<HistoryEntry> {
    return asyncIterable([...(this.history.get(key) ?? [])].reverse());
  }
  getStateByPartialCompositeKeyWithPagination(
    type: string,
    attributes: string[],
    pageSize: number,
    bookmark: string,
  ): Promise<PagedResult> {
    const prefix = this.createCompositeKey(type, attributes);
    return Promise.resolve(this.page((k) => k.startsWith(prefix), pageSize, bookmark));
  }
  getStateByPartialCompositeKey(type: string, attributes: string[]): Promise<Iterator> {
    const prefix = this.createCompositeKey(type, attributes);
    const keys = [...this.state.keys()].filter((k) => k.startsWith(prefix)).sort();
    return Promise.resolve(
      iterate(
        keys.map((key) => ({ key, value: this.state.get(key) ?? new Uint8Array() })),
        { key: '', value: new Uint8Array() },
      ),
    );
  }
  getStateByRange(startKey: string, endKey: string): Promise<Iterator> {
    const keys = [...this.state.keys()].filter((k) => k >= startKey && k < endKey).sort();
    return Promise.resolve(
      iterate(
        keys.map((key) => ({ key, value: this.state.get(key) ?? new Uint8Array() })),
        { key: '', value: new Uint8Array() },
      ),
    );
  }
  getStateByRangeWithPagination(
    startKey: string,
    endKey: string,
    pageSize: number,
    bookmark: string,
  ): Promise<PagedResult> {
    return Promise.resolve(this.page((k) => k >= startKey && k < endKey, pageSize, bookmark));
  }

  putPrivateData(collection: string, key: string, value: Uint8Array): Promise<void> {
    const data = this.privateData.get(collection) ?? new Map<string, Uint8Array>();
    data.set(key, value);
    this.privateData.set(collection, data);
    this.writes.push([`${collection}/${key}`, Buffer.from(value).toString('utf8')]);
    return Promise.resolve();
  }
  getPrivateData(collection: string, key: string): Promise<Uint8Array> {
    return Promise.resolve(this.privateData.get(collection)?.get(key) ?? new Uint8Array());
  }
  /** As a peer: the SHA-256 of the value, which every peer holds, member of the collection or not. */
  getPrivateDataHash(collection: string, key: string): Promise<Uint8Array> {
    const value = this.privateData.get(collection)?.get(key);
    return Promise.resolve(
      value === undefined ? new Uint8Array() : createHash('sha256').update(value).digest(),
    );
  }
  /** As the shim: async-iterable (awaiting the shim's return value does not give a closable iterator). */
  getPrivateDataByPartialCompositeKey(
    collection: string,
    type: string,
    attributes: string[],
  ): AsyncIterable<{ key: string; value: Uint8Array }> {
    const data = this.privateData.get(collection) ?? new Map<string, Uint8Array>();
    const prefix = this.createCompositeKey(type, attributes);
    const keys = [...data.keys()].filter((k) => k.startsWith(prefix)).sort();
    return asyncIterable(keys.map((key) => ({ key, value: data.get(key) ?? new Uint8Array() })));
  }
  deletePrivateData(collection: string, key: string): Promise<void> {
    this.privateData.get(collection)?.delete(key);
    this.writes.push([`${collection}/${key}`, '']);
    return Promise.resolve();
  }
  purgePrivateData(collection: string, key: string): Promise<void> {
    this.privateData.get(collection)?.delete(key);
    this.writes.push([`${collection}/${key}`, '(purged)']);
    return Promise.resolve();
  }

  setStateValidationParameter(key: string, policy: Uint8Array): Promise<void> {
    this.validationParameters.set(key, policy);
    return Promise.resolve();
  }
  setEvent(name: string, payload: Uint8Array): void {
    this.events.push({ name, payload: Buffer.from(payload).toString('utf8') });
  }

  private record(key: string, value: Uint8Array, isDelete: boolean): void {
    this.writes.push([key, Buffer.from(value).toString('utf8')]);
    const entry = { txId: this.txId, value, timestamp: { seconds: this.seconds, nanos: 0 }, isDelete };
    this.history.set(key, [...(this.history.get(key) ?? []), entry]);
  }

  /** Keys matching `match` in order, from `bookmark` (the first key of the page), `pageSize` at a time. */
  private page(match: (key: string) => boolean, pageSize: number, bookmark: string): PagedResult {
    const keys = [...this.state.keys()].filter((k) => match(k) && (bookmark === '' || k >= bookmark)).sort();
    const page = keys.slice(0, pageSize);
    const items = page.map((key) => ({ key, value: this.state.get(key) ?? new Uint8Array() }));
    // Like fabric-shim, which omits the metadata when the peer sends none (an empty page).
    const metadata =
      page.length === 0 ? undefined : { fetchedRecordsCount: page.length, bookmark: keys[pageSize] ?? '' };
    return { iterator: iterate(items, { key: '', value: new Uint8Array() }), metadata } as PagedResult;
  }
}
