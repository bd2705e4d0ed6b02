/** The config node properties in which `${NAME}` references are expanded. */
export const CONNECTION_PROPERTIES = ['arn', 'region', 'endpoint', 'roleArn', 'externalId', 'profile'] as const;

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

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

/** The same for every string property of a settings object. */
export function expandEnvInProperties<T extends object>(properties: T, names: readonly (keyof T)[], lookup: (name: string) => unknown): T {
  const expanded = { ...properties };
  for (const name of names) {
    const value = expanded[name];
    if (typeof value === 'string') (expanded as Record<keyof T, unknown>)[name] = expandEnvReferences(value, lookup);
  }
  return expanded;
}
