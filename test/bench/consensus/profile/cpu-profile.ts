import { relative } from 'node:path';

/** A V8 CPU profile (`.cpuprofile`), as the inspector's Profiler.stop returns it. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  /** Microseconds since the previous sample. */
  timeDeltas: number[];
}

/** Time spent in one place, and its share of the busy time. */
export interface ProfileEntry {
  name: string;
  ms: number;
  share: number;
}

/** Where a process's busy time went: by package and by function (self time). */
export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  byPackage: ProfileEntry[];
  byFunction: ProfileEntry[];
}

const IDLE = '(idle)';

/** The package a script belongs to: an npm package, a Node built-in module, or ours. */
export function packageOf(url: string, functionName: string, repoDir: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope = '', name = ''] = path.slice(modules + 'node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const mine = relative(repoDir, path);
  return mine.startsWith('..') ? path : `medshare ${mine.split('/')[0] ?? ''}`.trim();
}

function functionOf(url: string, functionName: string, lineNumber: number, repoDir: string): string {
  if (url === '') return functionName;
  const path = url.replace(/^file:\/\//, '');
  const at = path.includes('node_modules/')
    ? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
    : path.startsWith(repoDir)
      ? relative(repoDir, path)
      : path;
  return `${functionName || '(anonymous)'} ${at}:${String(lineNumber + 1)}`;
}

function ranked(totals: Map<string, number>, busyUs: number, limit: number): ProfileEntry[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({
      name,
      ms: Math.round(us / 1000),
      share: busyUs > 0 ? Math.round((us / busyUs) * 1000) / 1000 : 0,
    }));
}

/** Sums the self time of one or more profiles of the same program. */
export function summarise(profiles: readonly CpuProfile[], repoDir: string, limit = 25): ProfileSummary {
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busyUs = 0;
  let idleUs = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    profile.samples.forEach((id, i) => {
      const frame = nodes.get(id);
      const us = profile.timeDeltas[i] ?? 0;
      if (!frame) return;
      if (frame.functionName === IDLE) {
        idleUs += us;
        return;
      }
      busyUs += us;
      const pkg = packageOf(frame.url, frame.functionName, repoDir);
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
      const fn = functionOf(frame.url, frame.functionName, frame.lineNumber, repoDir);
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    });
  }
  return {
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    byPackage: ranked(byPackage, busyUs, limit),
    byFunction: ranked(byFunction, busyUs, limit),
  };
}
