import type { Node, NodeDef } from 'node-red';
import type { AwsClients } from './lib/clients';
import type { AwsCredentialsInput, ConnectionSettings } from './lib/connection-settings';

export interface ConfigNodeProperties extends NodeDef {
  arn: string;
  region?: string;
  endpoint?: string;
  authMode?: string;
  roleArn?: string;
  externalId?: string;
  profile?: string;
}

export interface DynamoDbStreamConfigNode extends Node<AwsCredentialsInput> {
  /** Validated settings, or undefined when `configError` says what is wrong. */
  settings?: ConnectionSettings;
  configError?: string;
  /** The SDK clients of this config node, created on first use and shared by its source nodes. */
  clients(): AwsClients;
}
