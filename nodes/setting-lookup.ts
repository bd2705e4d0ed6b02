import type { Node, NodeAPI, NodeDef } from 'node-red';

/** Where the config dialog's node lives: its id (maybe not deployed yet) and its scope (`z`: a flow id, or empty for global). */
export interface DialogNode {
  id?: string;
  z?: string;
  name?: string;
}

export type SettingLookup = (name: string) => unknown;

/**
 * How the runtime resolves `${NAME}` for the node the dialog edits: `RED.util.getSetting` of the deployed
 * node (its flow's env, then the global env of the editor settings, then the process environment). A node
 * not deployed yet, or moved to another scope, resolves as a node in that scope: through a deployed node of
 * the same flow outside any group, or the process environment when the scope has no deployed node.
 */
export function settingLookupFor(RED: NodeAPI, dialog: DialogNode): SettingLookup {
  const scope = dialog.z ?? '';
  const deployed = dialog.id ? (RED.nodes.getNode(dialog.id) as Node | null) : null;
  if (deployed && (deployed.z ?? '') === scope) return (name) => RED.util.getSetting(deployed, name);
  const neighbour = deployedNodeInScope(RED, scope);
  return (name) => {
    if (name === 'NR_NODE_ID') return dialog.id;
    if (name === 'NR_NODE_NAME') return dialog.name || undefined;
    return neighbour ? RED.util.getSetting(neighbour, name) : process.env[name];
  };
}

function deployedNodeInScope(RED: NodeAPI, scope: string): Node | undefined {
  let found: Node | undefined;
  RED.nodes.eachNode((config: NodeDef & { g?: string }) => {
    if (found || (config.z ?? '') !== scope || config.g) return;
    found = (RED.nodes.getNode(config.id) as Node | null) ?? undefined;
  });
  return found;
}
