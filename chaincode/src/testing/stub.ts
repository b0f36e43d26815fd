import type { Context } from 'fabric-contract-api';
import { ClientIdentity } from 'fabric-shim';

interface Iterator {
  next(): Promise<{ done: boolean; value: { key: string; value: Uint8Array } }>;
  close(): Promise<void>;
}

/** A chaincode event recorded by {@link MapStub}. */
export interface RecordedEvent {
  name: string;
  payload: string;
}

/**
 * A map-backed stand-in for the parts of Fabric's ChaincodeStub the contracts
 * use. World state is a sorted map; writes of one transaction are recorded so
 * tests can compare write sets.
 */
export class MapStub {
  readonly state = new Map<string, Uint8Array>();
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
    this.transient = new Map(Object.entries(transient).map(([k, v]) => [k, Buffer.from(JSON.stringify(v))]));
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
  createCompositeKey(type: string, attributes: string[]): string {
    return `\u0000${type}\u0000${attributes.map((a) => `${a}\u0000`).join('')}`;
  }
  getState(key: string): Promise<Uint8Array> {
    return Promise.resolve(this.state.get(key) ?? new Uint8Array());
  }
  putState(key: string, value: Uint8Array): Promise<void> {
    this.state.set(key, value);
    this.writes.push([key, Buffer.from(value).toString('utf8')]);
    return Promise.resolve();
  }
  deleteState(key: string): Promise<void> {
    this.state.delete(key);
    this.writes.push([key, '']);
    return Promise.resolve();
  }
  getTransient(): Map<string, Uint8Array> {
    return this.transient;
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
  deletePrivateData(collection: string, key: string): Promise<void> {
    this.privateData.get(collection)?.delete(key);
    this.writes.push([`${collection}/${key}`, '']);
    return Promise.resolve();
  }
  setStateValidationParameter(key: string, policy: Uint8Array): Promise<void> {
    this.validationParameters.set(key, policy);
    return Promise.resolve();
  }
  setEvent(name: string, payload: Uint8Array): void {
    this.events.push({ name, payload: Buffer.from(payload).toString('utf8') });
  }
  getStateByPartialCompositeKeyWithPagination(
    type: string,
    attributes: string[],
    pageSize: number,
    bookmark: string,
  ): Promise<{ iterator: Iterator; metadata: { fetchedRecordsCount: number; bookmark: string } }> {
    const prefix = this.createCompositeKey(type, attributes);
    const keys = [...this.state.keys()]
      .filter((k) => k.startsWith(prefix) && (bookmark === '' || k >= bookmark))
      .sort();
    const page = keys.slice(0, pageSize);
    const next = keys[pageSize] ?? '';
    let i = 0;
    const iterator: Iterator = {
      next: () => {
        const key = page[i++];
        return Promise.resolve(
          key === undefined
            ? { done: true, value: { key: '', value: new Uint8Array() } }
            : { done: false, value: { key, value: this.state.get(key) ?? new Uint8Array() } },
        );
      },
      close: () => Promise.resolve(),
    };
    return Promise.resolve({ iterator, metadata: { fetchedRecordsCount: page.length, bookmark: next } });
  }
}
