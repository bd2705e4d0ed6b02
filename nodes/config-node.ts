import type { Node, NodeDef } from 'node-red';
import type { AwsClients } from './lib/clients';
import type { AwsCredentialsInput, ConnectionInput, ConnectionSettings } from './lib/connection-settings';

/** The config node's properties as saved in a flow (credentials are kept apart by Node-RED). */
export interface ConfigNodeProperties extends NodeDef, Omit<ConnectionInput, 'credentials'> {}

export interface DynamoDbStreamConfigNode extends Node<AwsCredentialsInput> {
  /** Validated settings, or undefined when `configError` says what is wrong. */
  settings?: ConnectionSettings;
  configError?: string;
  /** The SDK clients of this config node, created on first use and shared by its source nodes. */
  clients(): AwsClients;
}
