/** Flow JSON for the package's two nodes, as a saved flow holds them. */
export type FlowNode = Record<string, unknown> & { id: string; type: string };

export function configNode(id: string, arn: string, endpoint: string, overrides: Record<string, unknown> = {}): FlowNode {
  return { id, type: 'dynamodb-stream-config', name: '', arn, region: '', endpoint, authMode: 'keys', ...overrides };
}

/** A source node with every property of the contract at its default, except TRIM_HORIZON (tests read what they wrote). */
export function sourceNode(id: string, z: string, config: string, wires: string[], overrides: Record<string, unknown> = {}): FlowNode {
  return {
    id,
    z,
    type: 'dynamodb-stream-source',
    name: '',
    config,
    startingPosition: 'TRIM_HORIZON',
    batchSize: 100,
    output: 'record',
    dataFormat: 'triggermesh',
    eventNames: 'INSERT,MODIFY,REMOVE',
    checkpointStore: 'none',
    ackMode: 'auto',
    maxInFlight: 100,
    ...overrides,
    wires: [wires],
  };
}
