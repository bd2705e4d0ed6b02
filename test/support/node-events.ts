import type { EventEmitter } from 'node:events';

export interface StatusCall {
  fill?: string;
  shape?: string;
  text?: string;
}

/** Records the status and error calls a node makes (the test helper announces them as `call:<method>`). */
export class NodeCalls {
  readonly statuses: StatusCall[] = [];
  readonly errors: string[] = [];
  readonly warnings: string[] = [];

  constructor(node: EventEmitter) {
    node.on('call:status', (call: { args: unknown[] }) => this.statuses.push(call.args[0] as StatusCall));
    node.on('call:error', (call: { args: unknown[] }) => this.errors.push(String(call.args[0])));
    node.on('call:warn', (call: { args: unknown[] }) => this.warnings.push(String(call.args[0])));
  }

  get lastStatus(): StatusCall | undefined {
    return this.statuses[this.statuses.length - 1];
  }

  hasStatus(predicate: (status: StatusCall) => boolean): boolean {
    return this.statuses.some(predicate);
  }
}
