import type { NodeAPI } from 'node-red';
import { checkConnection } from './lib/connection-check';
import type { AwsCredentialsInput, ConnectionInput } from './lib/connection-settings';
import { CONNECTION_PROPERTIES, expandEnvInProperties } from './lib/env-references';

const UNCHANGED_PASSWORD = '__PWRD__';
const SECRET_FIELDS = ['secretAccessKey', 'sessionToken'] as const;

/** What the config dialog sends: its current, possibly unsaved, values and the node's id. */
interface TestConnectionBody extends Partial<ConnectionInput> {
  id?: string;
}

/** Credentials typed in the dialog, with unchanged password fields taken from the saved node. */
function effectiveCredentials(RED: NodeAPI, body: TestConnectionBody): AwsCredentialsInput {
  const typed: AwsCredentialsInput = { ...body.credentials };
  const saved = (body.id ? (RED.nodes.getCredentials(body.id) as AwsCredentialsInput | undefined) : undefined) ?? {};
  const merged: AwsCredentialsInput = { accessKeyId: typed.accessKeyId ?? saved.accessKeyId };
  for (const field of SECRET_FIELDS) merged[field] = typed[field] === UNCHANGED_PASSWORD ? saved[field] : typed[field];
  return merged;
}

export function registerTestConnectionEndpoint(RED: NodeAPI): void {
  RED.httpAdmin.post(
    '/dynamodb-stream-config/test-connection',
    RED.auth.needsPermission('dynamodb-stream-config.write'),
    (req, res) => {
      const body = expandEnvInProperties((req.body ?? {}) as TestConnectionBody, CONNECTION_PROPERTIES, (name) => process.env[name]);
      checkConnection({ ...body, arn: body.arn ?? '', credentials: effectiveCredentials(RED, body) })
        .then((result) => res.json(result))
        .catch((error: unknown) => res.json({ ok: false, message: `Check failed: ${(error as Error).message}` }));
    },
  );
}
