export type DataFormat = 'triggermesh' | 'aws' | 'document';

export const DATA_FORMATS: readonly DataFormat[] = Object.freeze(['triggermesh', 'aws', 'document'] as const);

export function isDataFormat(value: unknown): value is DataFormat {
  return typeof value === 'string' && (DATA_FORMATS as readonly string[]).includes(value);
}
