/**
 * The processes a benchmark network runs (every pid file the network scripts wrote, the gateway's
 * included) plus the load generator itself, the kind each one is, and their resident memory.
 */
import * as fs from 'node:fs';
import { trackedPids } from '../test/support/network';

export const LOAD_GENERATOR = 'bench (load generator)';

/** Name → pid of every tracked process, then this load generator. */
export function benchProcesses(): [string, number][] {
  return [...trackedPids(), [LOAD_GENERATOR, process.pid]];
}

/** Process kinds in report order; a chaincode's servers are a kind of their own per chaincode. */
const KIND_ORDER = ['peers', 'orderers', 'chaincode servers (polls)', 'chaincode servers (baseline)', 'CAs', 'REST gateway', LOAD_GENERATOR];

/** The kind of a process, from its pid file's name (peer0.city, orderer0.dept, ca.city, ccserver-baseline.city, gateway). */
export function processKind(name: string): string {
  if (name.startsWith('peer')) return 'peers';
  if (name.startsWith('orderer')) return 'orderers';
  if (name.startsWith('ca.')) return 'CAs';
  const chaincode = /^ccserver(?:-([^.]+))?\./.exec(name);
  if (chaincode) return `chaincode servers (${chaincode[1] ?? 'polls'})`;
  if (name === 'gateway') return 'REST gateway';
  return name;
}

/** Orders kinds (or names, by their kind) as the report lists them: by KIND_ORDER, then by name. */
export function byKind(a: string, b: string): number {
  const rank = (name: string): number => {
    const i = KIND_ORDER.indexOf(processKind(name));
    return i < 0 ? KIND_ORDER.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

export interface ProcessMemory {
  name: string;
  mib: number;
}

/** Resident memory (VmRSS) of every tracked process and this one, largest first. */
export function residentMemory(): ProcessMemory[] {
  const out: ProcessMemory[] = [];
  for (const [name, pid] of benchProcesses()) {
    try {
      const kib = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1];
      if (kib !== undefined) out.push({ name, mib: Number(kib) / 1024 });
    } catch {
      // the process is gone
    }
  }
  return out.sort((a, b) => b.mib - a.mib);
}

export interface KindMemory {
  kind: string;
  processes: number;
  mib: number;
}

/** MEMORY summed per process kind, in report order. */
export function memoryByKind(memory: readonly ProcessMemory[]): KindMemory[] {
  const kinds = new Map<string, KindMemory>();
  for (const { name, mib } of memory) {
    const kind = processKind(name);
    const sum = kinds.get(kind) ?? { kind, processes: 0, mib: 0 };
    kinds.set(kind, { kind, processes: sum.processes + 1, mib: sum.mib + mib });
  }
  return [...kinds.values()].sort((a, b) => byKind(a.kind, b.kind));
}
