// What the figures were measured on.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { nodeRedVersion } from './node-red-package';

export interface MachineInfo {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly nodeRed: string;
  readonly platform: string;
  readonly memoryGB: number;
  readonly loadAverage: number[];
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function machineInfo(): MachineInfo {
  return {
    nproc: os.availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    nodeRed: nodeRedVersion,
    platform: `${os.platform()} ${os.release()}`,
    memoryGB: Math.round(os.totalmem() / 1024 ** 3),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
