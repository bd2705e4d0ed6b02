import type { ConnectionField, TypedReferences } from './connection-settings';

/** The config node properties in which `${NAME}` references are expanded, also inside a value. */
export const CONNECTION_PROPERTIES = ['arn', 'region', 'endpoint', 'streamsEndpoint', 'roleArn', 'externalId', 'profile'] as const;

/** The config node properties a user types, each of which Node-RED resolves when it is one whole reference. */
export const CONNECTION_FIELDS: readonly ConnectionField[] = ['arn', 'region', 'endpoint', 'streamsEndpoint', 'authMode', 'roleArn', 'externalId', 'profile'];

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** Node-RED's forms of a value that is one whole reference: `${NAME}` and the older `$(NAME)`. */
const WHOLE_REFERENCE = /^\$\{(\S+)\}$|^\$\((\S+)\)$/;

/**
 * Replaces `${NAME}` references inside a value (Node-RED itself only resolves a value that is
 * entirely one reference). Unknown names become empty strings, as in Node-RED.
 */
export function expandEnvReferences(value: string | undefined, lookup: (name: string) => unknown): string | undefined {
  if (value === undefined || !value.includes('${')) return value;
  return value.replace(REFERENCE, (_match, name: string) => {
    const resolved = lookup(name);
    return resolved === undefined || resolved === null ? '' : String(resolved);
  });
}

/** The same for every string property of a settings object; a number or boolean (a typed env variable) becomes its text. */
export function expandEnvInProperties<T extends object>(properties: T, names: readonly (keyof T)[], lookup: (name: string) => unknown): T {
  const expanded = { ...properties };
  for (const name of names) {
    const value: unknown = expanded[name];
    if (typeof value === 'number' || typeof value === 'boolean') (expanded as Record<keyof T, unknown>)[name] = String(value);
    if (typeof value === 'string') (expanded as Record<keyof T, unknown>)[name] = expandEnvReferences(value, lookup);
  }
  return expanded;
}

/**
 * What Node-RED does to a node's properties before its constructor runs: a value that is one whole
 * reference becomes the setting's value, when the setting exists (else it stays as typed).
 */
export function resolveWholeReferences<T extends object>(properties: T, names: readonly (keyof T)[], lookup: (name: string) => unknown): T {
  const resolved = { ...properties };
  for (const name of names) {
    const value: unknown = resolved[name];
    if (typeof value !== 'string') continue;
    const match = WHOLE_REFERENCE.exec(value);
    if (!match) continue;
    const setting = lookup(match[1] ?? match[2]);
    if (setting !== undefined) (resolved as Record<keyof T, unknown>)[name] = setting;
  }
  return resolved;
}

/** The fields typed with a reference in them, with their text as typed. */
export function typedReferences(properties: Partial<Record<ConnectionField, unknown>>): TypedReferences {
  const references: TypedReferences = {};
  for (const field of CONNECTION_FIELDS) {
    const value = properties[field];
    if (typeof value === 'string' && (value.includes('${') || WHOLE_REFERENCE.test(value))) references[field] = value;
  }
  return references;
}
