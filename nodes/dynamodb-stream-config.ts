import type { NodeAPI } from 'node-red';
import type { ConfigNodeProperties, DynamoDbStreamConfigNode } from './config-node';
import { createAwsClients, type AwsClients } from './lib/clients';
import { resolveConnectionSettings, type AwsCredentialsInput } from './lib/connection-settings';
import { CONNECTION_PROPERTIES, expandEnvInProperties } from './lib/env-references';
import { registerTestConnectionEndpoint } from './test-connection-endpoint';

export = function register(RED: NodeAPI): void {
  function DynamoDbStreamConfig(this: DynamoDbStreamConfigNode, properties: ConfigNodeProperties): void {
    RED.nodes.createNode(this, properties);
    try {
      const expanded = expandEnvInProperties(properties, CONNECTION_PROPERTIES, (name) => RED.util.getSetting(this, name));
      this.settings = resolveConnectionSettings({ ...expanded, credentials: this.credentials });
    } catch (error) {
      this.configError = (error as Error).message;
    }
    let clients: AwsClients | undefined;
    this.clients = () => {
      if (!this.settings) throw new Error(this.configError ?? 'invalid configuration');
      clients ??= createAwsClients(this.settings);
      return clients;
    };
    this.on('close', (_removed: boolean, done: () => void) => {
      clients?.destroy();
      clients = undefined;
      done();
    });
  }

  RED.nodes.registerType<DynamoDbStreamConfigNode, ConfigNodeProperties, object, AwsCredentialsInput>('dynamodb-stream-config', DynamoDbStreamConfig, {
    credentials: {
      accessKeyId: { type: 'text' },
      secretAccessKey: { type: 'password' },
      sessionToken: { type: 'password' },
    },
  });
  registerTestConnectionEndpoint(RED);
};
