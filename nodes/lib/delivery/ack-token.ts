import { randomUUID } from 'node:crypto';

/** The msg property that carries what an acknowledgement needs; plain JSON, so it survives cloning. */
export const ACK_PROPERTY = '_dynamodbStreamAck';

/**
 * Names exactly one delivery of one node instance: the node, the instance (new at every start, so
 * acknowledgements of a previous instance still travelling through the flow after a redeploy are
 * recognised as stale), the shard, the sequence number of the last record the message covers, and
 * the attempt.
 */
export interface AckToken {
  readonly node: string;
  readonly instance: string;
  readonly stream: string;
  readonly shard: string;
  readonly seq: string;
  /** Which sending of that delivery (1 = the first): a failure reported for an earlier one is not counted again. */
  readonly attempt: number;
}

export type AckTokenMatch =
  | { readonly kind: 'ours'; readonly token: AckToken }
  | { readonly kind: 'stale' }
  | { readonly kind: 'other-node' }
  | { readonly kind: 'missing' };

export class AckTokens {
  readonly instance = randomUUID();

  constructor(private readonly nodeId: string) {}

  issue(stream: string, shard: string, seq: string, attempt: number): AckToken {
    return { node: this.nodeId, instance: this.instance, stream, shard, seq, attempt };
  }

  match(value: unknown): AckTokenMatch {
    const token = value as Partial<AckToken> | undefined;
    if (!token || typeof token !== 'object' || typeof token.node !== 'string') return { kind: 'missing' };
    if (token.node !== this.nodeId) return { kind: 'other-node' };
    if (token.instance !== this.instance || typeof token.stream !== 'string' || typeof token.shard !== 'string' || typeof token.seq !== 'string' || typeof token.attempt !== 'number') {
      return { kind: 'stale' };
    }
    return { kind: 'ours', token: token as AckToken };
  }
}
