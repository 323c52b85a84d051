'use strict';
// Where a .cpuprofile's time went: self time by package (node_modules/<name>) or source file, then the functions
// with the most self time. Usage: node e2e/bench/profile/summary.js FILE.cpuprofile [TOP=25]
const fs = require('node:fs');

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node summary.js FILE.cpuprofile [TOP]');
  process.exit(2);
}
const top = Number(topArg || 25);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const selfTime = new Map();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) || 0) + (profile.timeDeltas[i] || 0)));

function groupOf({ url, functionName }) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const at = url.lastIndexOf('node_modules/');
  if (at >= 0) {
    const [scope, name] = url.slice(at + 'node_modules/'.length).split('/');
    return `pkg ${scope.startsWith('@') ? `${scope}/${name}` : scope}`;
  }
  return url.startsWith('node:') ? url : url.replace(/^file:\/\//, '').replace(/.*\/(gateway|chaincode|protocol|fabric-client|e2e|audit|verifier)\//, '$1/');
}

let total = 0;
let idle = 0;
const groups = new Map();
const functions = new Map();
for (const [id, time] of selfTime) {
  const frame = nodes.get(id).callFrame;
  total += time;
  if (frame.functionName === '(idle)') {
    idle += time;
    continue;
  }
  const group = groupOf(frame);
  groups.set(group, (groups.get(group) || 0) + time);
  const fn = `${frame.functionName || '(anonymous)'} ${group}:${frame.lineNumber + 1}`;
  functions.set(fn, (functions.get(fn) || 0) + time);
}
const busy = total - idle;
const show = (map) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([name, time]) => console.log(`  ${(time / 1e3).toFixed(0).padStart(7)} ms ${((100 * time) / busy).toFixed(1).padStart(5)}%  ${name}`));
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (samples count time in system calls too)`);
console.log(' self time by package or file:');
show(groups);
console.log(' functions with the most self time:');
show(functions);
