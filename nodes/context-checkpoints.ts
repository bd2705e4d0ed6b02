import type { Node, NodeAPI } from 'node-red';
import type { KeyValueStore } from './lib/checkpoint/checkpoint-store';

/** The node's own context, in the named store, as the checkpoint store's backing key-value store. */
export function nodeContextStore(node: Node, storeName: string): KeyValueStore {
  const context = node.context();
  return {
    get: (key) =>
      new Promise((resolve, reject) => {
        context.get(key, storeName, (error: Error | undefined, value: unknown) => (error ? reject(error) : resolve(value)));
      }),
    set: (key, value) =>
      new Promise((resolve, reject) => {
        context.set(key, value, storeName, (error?: Error) => (error ? reject(error) : resolve()));
      }),
  };
}

function configuredContextStores(RED: NodeAPI): string[] {
  return Object.keys((RED.settings as { contextStorage?: Record<string, unknown> }).contextStorage ?? {});
}

/** Context stores configured in settings.js (`contextStorage`); `default` always exists. */
export function knownContextStores(RED: NodeAPI): string[] {
  return ['default', ...configuredContextStores(RED)];
}

/** Without configured stores, Node-RED deletes a node's context whenever the node stops. */
export function contextSurvivesRestarts(RED: NodeAPI): boolean {
  return configuredContextStores(RED).length > 0;
}
