import os from 'node:os';

/** This process's default worker id: host name and process id, unique among the replicas of a flow. */
export function defaultWorkerId(): string {
  return `${os.hostname()}-${process.pid}`;
}
