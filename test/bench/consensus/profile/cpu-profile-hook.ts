/**
 * Preloaded into a chaincode server (`node --require`, through NODE_OPTIONS)
 * by the profile command: samples the server's CPU with V8's profiler from the
 * start and, on SIGTERM, writes `<MEDSHARE_CPU_PROFILE_DIR>/<name>-<pid>.cpuprofile`
 * (open it in Chrome DevTools or summarise it with cpu-profile.ts) and exits.
 * `--cpu-prof` would do the same, but Node refuses it in NODE_OPTIONS.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.MEDSHARE_CPU_PROFILE_DIR;
if (dir) {
  const name = process.env.MEDSHARE_CPU_PROFILE_NAME ?? 'node';
  const session = new Session();
  session.connect();
  session.post('Profiler.enable', () => {
    session.post('Profiler.start');
  });
  process.once('SIGTERM', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error)
        writeFileSync(join(dir, `${name}-${String(process.pid)}.cpuprofile`), JSON.stringify(result.profile));
      process.exit(0);
    });
  });
}
