import type { AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { toBase64 } from '../binary';
import { setOwnProperty } from '../own-property';
import { goSortedKeys } from './go-map-keys';

/**
 * aws-sdk-go v1's `dynamodb.AttributeValue` as Go's encoding/json writes it: all ten struct fields in
 * struct order, `null` where unset, `[]byte` as base64, maps with their keys sorted.
 */
export interface GoAttributeValue {
  B: string | null;
  BOOL: boolean | null;
  BS: string[] | null;
  L: GoAttributeValue[] | null;
  M: GoAttributeMap | null;
  N: string | null;
  NS: string[] | null;
  NULL: boolean | null;
  S: string | null;
  SS: string[] | null;
}

export type GoAttributeMap = Record<string, GoAttributeValue>;

/** Names are written in Go's order (sorted), except that JavaScript puts array-index names such as `"7"` first. */
export function toGoAttributeMap(map: Record<string, AttributeValue>): GoAttributeMap {
  const json: GoAttributeMap = {};
  const names = goSortedKeys(map);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (name === '__proto__') setOwnProperty(json, name, toGoAttributeValue(map[name]));
    else json[name] = toGoAttributeValue(map[name]);
  }
  return json;
}

export function toGoAttributeValue(value: AttributeValue): GoAttributeValue {
  // One literal per type: every value gets the same hidden class, each written once. Members the SDK
  // holds as undefined, and members Go's struct does not have ($unknown), are null.
  if (value.S !== undefined) return { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: value.S, SS: null };
  if (value.N !== undefined) return { B: null, BOOL: null, BS: null, L: null, M: null, N: value.N, NS: null, NULL: null, S: null, SS: null };
  if (value.M !== undefined) return { B: null, BOOL: null, BS: null, L: null, M: toGoAttributeMap(value.M), N: null, NS: null, NULL: null, S: null, SS: null };
  if (value.L !== undefined) return { B: null, BOOL: null, BS: null, L: toGoAttributeList(value.L), M: null, N: null, NS: null, NULL: null, S: null, SS: null };
  if (value.BOOL !== undefined) return { B: null, BOOL: value.BOOL, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: null, SS: null };
  if (value.NULL !== undefined) return { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: value.NULL, S: null, SS: null };
  if (value.B !== undefined) return { B: toBase64(value.B), BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: null, SS: null };
  if (value.SS !== undefined) return { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: null, SS: value.SS };
  if (value.NS !== undefined) return { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: value.NS, NULL: null, S: null, SS: null };
  if (value.BS !== undefined) return { B: null, BOOL: null, BS: toBase64List(value.BS), L: null, M: null, N: null, NS: null, NULL: null, S: null, SS: null };
  return { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: null, SS: null };
}

function toGoAttributeList(list: AttributeValue[]): GoAttributeValue[] {
  const json = new Array<GoAttributeValue>(list.length);
  for (let i = 0; i < list.length; i++) json[i] = toGoAttributeValue(list[i]);
  return json;
}

function toBase64List(list: Uint8Array[]): string[] {
  const json = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) json[i] = toBase64(list[i]);
  return json;
}
