'use strict';
// CPU profiles of the network's Node processes under load (docs/performance.md). Node refuses --cpu-prof in
// NODE_OPTIONS, so this file is preloaded instead (NODE_OPTIONS="--require <this file>"): in every process whose
// command line matches PROF_MATCH (a regular expression), it starts the inspector's sampling profiler and writes
// <PROF_DIR or /tmp/prof>/<script>.<pid>.cpuprofile when the process exits, SIGTERM and SIGINT included (which then
// end the process at once: for measuring, not for a network that must shut down gracefully).
const match = process.env.PROF_MATCH;
if (match && new RegExp(match).test(process.argv.join(' '))) {
  const inspector = require('node:inspector');
  const fs = require('node:fs');
  const path = require('node:path');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // In-process sessions answer synchronously, so this completes before the process ends.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      const dir = process.env.PROF_DIR || '/tmp/prof';
      fs.mkdirSync(dir, { recursive: true });
      const name = path.basename(process.argv[1] || 'node').replace(/\W+/g, '_');
      fs.writeFileSync(path.join(dir, `${name}.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.on('exit', write);
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      write();
      process.exit(0);
    });
  }
}
