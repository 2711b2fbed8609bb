// Preloaded into a benchmark's server (node --import, through NODE_OPTIONS, which does not allow
// --cpu-prof itself): samples the CPU from the start and writes a V8 .cpuprofile into
// ETENDER_CPU_PROFILE_DIR when the server is asked to stop (SIGTERM/SIGINT), before it exits.
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const dir = process.env.ETENDER_CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  const write = () => {
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `server-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  for (const signal of ['SIGTERM', 'SIGINT']) process.prependOnceListener(signal, write);
}
