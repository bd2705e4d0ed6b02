import type { NodeAPI } from 'node-red';
import { checkConnection } from './lib/connection-check';
import type { AwsCredentialsInput, ConnectionInput } from './lib/connection-settings';
import { CONNECTION_FIELDS, CONNECTION_PROPERTIES, expandEnvInProperties, resolveWholeReferences, typedReferences } from './lib/env-references';
import { settingLookupFor, type DialogNode } from './setting-lookup';

const UNCHANGED_PASSWORD = '__PWRD__';
const SECRET_FIELDS = ['secretAccessKey', 'sessionToken'] as const;

/** What the config dialog sends: its current, possibly unsaved, values, the node's id and its scope. */
interface TestConnectionBody extends Partial<ConnectionInput>, DialogNode {}

/** Credentials typed in the dialog, with unchanged password fields taken from the saved node. */
function effectiveCredentials(RED: NodeAPI, body: TestConnectionBody): AwsCredentialsInput {
  const typed: AwsCredentialsInput = { ...body.credentials };
  const saved = (body.id ? (RED.nodes.getCredentials(body.id) as AwsCredentialsInput | undefined) : undefined) ?? {};
  const merged: AwsCredentialsInput = { accessKeyId: typed.accessKeyId ?? saved.accessKeyId };
  for (const field of SECRET_FIELDS) merged[field] = typed[field] === UNCHANGED_PASSWORD ? saved[field] : typed[field];
  return merged;
}

/** The dialog's values with `${NAME}` references resolved in the two steps the runtime takes (Node-RED's, then the config node's). */
function resolveReferences(RED: NodeAPI, body: TestConnectionBody): TestConnectionBody {
  const lookup = settingLookupFor(RED, body);
  return expandEnvInProperties(resolveWholeReferences(body, CONNECTION_FIELDS, lookup), CONNECTION_PROPERTIES, lookup);
}

export function registerTestConnectionEndpoint(RED: NodeAPI): void {
  RED.httpAdmin.post(
    '/dynamodb-stream-config/test-connection',
    RED.auth.needsPermission('dynamodb-stream-config.write'),
    (req, res) => {
      const typed = (req.body ?? {}) as TestConnectionBody;
      const body = resolveReferences(RED, typed);
      checkConnection({ ...body, arn: body.arn ?? '', credentials: effectiveCredentials(RED, typed) }, typedReferences(typed))
        .then((result) => res.json(result))
        .catch((error: unknown) => res.json({ ok: false, message: `Check failed: ${(error as Error).message}` }));
    },
  );
}
