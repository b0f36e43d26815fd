import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  down,
  loadDescription,
  locateBinaries,
  planNetwork,
  portsFree,
  portsOf,
  up,
  type NetworkPlan,
} from 'medshare-network';
import { createDecryptStream, createEncryptStream, DataKey } from '../envelope';
import type { EncryptedStore, StoredObject } from '../storage/encrypted-store';
import { storeOfOrganisation } from '../storage/from-network';

const REPO_DIR = resolve(__dirname, '..', '..', '..');
const MiB = 1024 * 1024;

/** The paper's Table 2: mean retrieval time from its hosted IPFS node, seconds. */
const PAPER = {
  small: { first: 0.75, second: 0.31 },
  medium: { first: 3.54, second: 1.02 },
  large: { first: 6.83, second: 2.42 },
} as const;

interface SizeClass {
  label: string;
  bytes: number;
  runs: number;
  paper?: keyof typeof PAPER;
}

interface Timings {
  put: number[];
  first: number[];
  second: number[];
  rawCat: number[];
  rawHttp: number[];
  putRssGrowth: number;
  getRssGrowth: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);

/** Samples this process's RSS; `growth()` is the peak since the last `reset()`. */
class RssSampler {
  #base = process.memoryUsage().rss;
  #peak = this.#base;
  readonly #timer = setInterval(() => {
    this.#peak = Math.max(this.#peak, process.memoryUsage().rss);
  }, 10);
  reset(): void {
    this.#base = process.memoryUsage().rss;
    this.#peak = this.#base;
  }
  growth(): number {
    this.#peak = Math.max(this.#peak, process.memoryUsage().rss);
    return this.#peak - this.#base;
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}

function randomPlaintext(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) {
        controller.close();
        return;
      }
      const n = Math.min(MiB, size - sent);
      sent += n;
      controller.enqueue(randomBytes(n));
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += chunk.byteLength;
  return n;
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await f();
  return [performance.now() - start, value];
}

/** `ipfs cat` of the kubo CLI against the same node, writing to /dev/null: the raw baseline. */
function ipfsCat(ipfs: string, rpcPort: number, cid: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(ipfs, ['--api', `/ip4/127.0.0.1/tcp/${rpcPort}`, 'cat', '--progress=false', cid], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolvePromise(performance.now() - start);
      else reject(new Error(`ipfs cat ${cid} exited with ${String(code)}`));
    });
  });
}

/** The same bytes over kubo's RPC from this process, with no verification or decryption. */
async function rawHttpCat(rpcPort: number, cid: string): Promise<number> {
  const [t] = await timed(async () => {
    const response = await fetch(`http://127.0.0.1:${rpcPort}/api/v0/cat?arg=${cid}`, { method: 'POST' });
    if (!response.body) throw new Error('no body');
    await drain(response.body as ReadableStream<Uint8Array>);
  });
  return t;
}

async function measure(
  plan: NetworkPlan,
  sender: EncryptedStore,
  receiver: EncryptedStore,
  ipfs: string,
  size: SizeClass,
  rss: RssSampler,
  report: (line: string) => void,
): Promise<Timings> {
  const rpcPort = plan.peerOrgs[1]?.storage?.rpcPort ?? 0;
  const t: Timings = {
    put: [],
    first: [],
    second: [],
    rawCat: [],
    rawHttp: [],
    putRssGrowth: 0,
    getRssGrowth: 0,
  };
  for (let i = 0; i < size.runs; i++) {
    const key = await DataKey.generate();
    rss.reset();
    const [put, stored] = await timed(() =>
      sender.put(randomPlaintext(size.bytes).pipeThrough(createEncryptStream(key))),
    );
    t.putRssGrowth = Math.max(t.putRssGrowth, rss.growth());
    t.put.push(put);
    const fetchOnce = async (s: StoredObject): Promise<number> => {
      rss.reset();
      const [elapsed, n] = await timed(async () =>
        drain(
          (await receiver.get(s.cid, { contentHash: s.contentHash, size: s.size })).pipeThrough(
            createDecryptStream(key),
          ),
        ),
      );
      t.getRssGrowth = Math.max(t.getRssGrowth, rss.growth());
      if (n !== size.bytes) throw new Error(`fetched ${n} bytes of ${size.bytes}`);
      return elapsed;
    };
    t.first.push(await fetchOnce(stored));
    t.second.push(await fetchOnce(stored));
    t.rawCat.push(await ipfsCat(ipfs, rpcPort, stored.cid));
    t.rawHttp.push(await rawHttpCat(rpcPort, stored.cid));
    await sender.remove(stored.cid);
  }
  report(
    `  ${size.label}: put p50 ${ms(median(t.put))}, fetch+decrypt p50 ${ms(median(t.first))} / ${ms(median(t.second))}, ipfs cat p50 ${ms(median(t.rawCat))}`,
  );
  return t;
}

async function freeNetwork(runDir: string): Promise<number> {
  const description = await loadDescription(join(REPO_DIR, 'network', 'consortium.yaml'));
  for (let attempt = 0; attempt < 20; attempt++) {
    const basePort = 20_000 + 1000 * Math.floor(Math.random() * 30);
    if (await portsFree(portsOf(planNetwork(description, { repoDir: REPO_DIR, basePort, runDir }))))
      return basePort;
  }
  throw new Error('no free block of ports');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: join(REPO_DIR, 'docs', 'benchmarks', 'storage.md') },
    },
  });
  const report = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const classes: SizeClass[] = [
    { label: '60 kB', bytes: 60_000, runs: values.quick ? 5 : 30, paper: 'small' },
    { label: '250 kB', bytes: 250_000, runs: values.quick ? 5 : 30, paper: 'medium' },
    { label: '10 MB', bytes: 10_000_000, runs: values.quick ? 3 : 15, paper: 'large' },
    { label: '100 MB', bytes: 100_000_000, runs: values.quick ? 1 : 2 },
    ...(values.quick ? [] : [{ label: '1 GB', bytes: 1_000_000_000, runs: 1 }]),
  ];
  const runDir = await mkdtemp(join(tmpdir(), 'medshare-bench-'));
  const basePort = await freeNetwork(runDir);
  const options = {
    repoDir: REPO_DIR,
    descriptionFile: join(REPO_DIR, 'network', 'consortium.yaml'),
    basePort,
    runDir,
  };
  report(`Bringing up a network on base port ${basePort} (${runDir})`);
  const rss = new RssSampler();
  const results: [SizeClass, Timings][] = [];
  try {
    const { plan } = await up(options);
    const [a, b] = plan.peerOrgs;
    if (!a || !b) throw new Error('the network needs two peer organisations');
    const sender = await storeOfOrganisation(plan, a);
    const receiver = await storeOfOrganisation(plan, b);
    const ipfs = join((await locateBinaries(REPO_DIR)).kuboBin, 'ipfs');
    // Warm-up: connections, JIT, kubo caches of the code paths (not of the data).
    await measure(
      plan,
      sender,
      receiver,
      ipfs,
      { label: 'warm-up', bytes: 100_000, runs: 3 },
      rss,
      () => undefined,
    );
    report(
      'Measuring (sender hospital-a, receiver hospital-b, replication ' +
        `${plan.storage.replicationMin}..${plan.storage.replicationMax}):`,
    );
    for (const size of classes) {
      results.push([size, await measure(plan, sender, receiver, ipfs, size, rss, report)]);
    }
  } finally {
    rss.stop();
    await down({ ...options, clean: true });
    await rm(runDir, { recursive: true, force: true });
  }

  const rows = results.map(([size, t]) => {
    const paper = size.paper ? PAPER[size.paper] : undefined;
    return `| ${size.label} | ${size.runs} | ${ms(median(t.put))} | ${ms(median(t.first))} | ${ms(median(t.second))} | ${ms(median(t.rawCat))} | ${ms(median(t.rawHttp))} | ${(median(t.second) / median(t.rawCat)).toFixed(2)} | ${(t.putRssGrowth / MiB).toFixed(0)} / ${(t.getRssGrowth / MiB).toFixed(0)} MiB | ${paper ? `${paper.first} s / ${paper.second} s` : '-'} |`;
  });
  const get = (label: string): Timings | undefined => results.find(([s]) => s.label === label)?.[1];
  const targets: [string, boolean | undefined, string][] = [];
  const t10 = get('10 MB');
  const t60 = get('60 kB');
  const tBig = get('1 GB') ?? get('100 MB');
  if (t10) {
    const p50 = median(t10.second);
    targets.push(['10 MB fetch + verify + decrypt p50 under 250 ms', p50 < 250, ms(p50)]);
    const ratio = median(t10.second) / median(t10.rawCat);
    targets.push([
      '10 MB fetch + decrypt at most 1.5 times the raw `ipfs cat`',
      ratio <= 1.5,
      `${ratio.toFixed(2)}x`,
    ]);
  }
  if (t60) {
    const p50 = median(t60.second);
    targets.push(['60 kB fetch + verify + decrypt p50 under 30 ms', p50 < 30, ms(p50)]);
  }
  if (tBig) {
    const growth = Math.max(tBig.putRssGrowth, tBig.getRssGrowth);
    targets.push([
      `${values.quick ? '100 MB' : '1 GB'} upload and download: peak RSS growth under 128 MB`,
      growth < 128 * 1e6,
      `${(growth / MiB).toFixed(0)} MiB`,
    ]);
  }
  const lines = [
    '# Storage benchmark',
    '',
    `Run on ${new Date().toISOString().slice(0, 10)} by \`npm run bench:storage${values.quick ? ' -- --quick' : ''}\` on this machine (${cpus().length} cores): a fresh network, hospital-a encrypts and stores, hospital-b fetches, verifies and decrypts. Times are medians (p50) over the runs. "First" is the receiver's first fetch of a freshly stored CID, "second" the repeat. The baselines fetch the same CIDs from the same kubo node in the same run: \`ipfs cat\` with the kubo CLI, and kubo's RPC \`cat\` over HTTP from the benchmark process with no verification or decryption. RSS growth is the benchmark process's, for an upload / a download.`,
    '',
    '| size | runs | encrypt + add + replicated pin | fetch + verify + decrypt, first | second | raw `ipfs cat` | raw RPC cat | second / `ipfs cat` | RSS growth up / down | paper, first / second |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'The paper (Table 2, hosted IPFS node, Windows 10, i7-4600U) measured only retrieval; its size classes are up to 60 kB, 61-250 kB and 251 kB-10 MB.',
    '',
    '## Targets',
    '',
    '| target | result | measured |',
    '| --- | --- | --- |',
    ...targets.map(([name, ok, figure]) => `| ${name} | ${ok ? 'met' : 'MISSED'} | ${figure} |`),
    '',
    `Peak RSS of the benchmark process over the whole run: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB.`,
    '',
  ];
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, lines.join('\n'));
  report('');
  lines.forEach(report);
  report(`Written to ${values.out}`);
  return targets.every(([, ok]) => ok) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench:storage: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
