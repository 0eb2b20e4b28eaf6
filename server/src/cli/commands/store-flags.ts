// The flags that choose the profile store (workspace, global or a directory), shared by the
// `tilecast profile` sub-commands. Flag parsing only.
import { resolve } from 'node:path';
import { storeLocation, type StoreLocation } from '../../platform/profile-store';
import type { FlagSpec } from '../args';

export const STORE_FLAGS: Record<string, FlagSpec> = {
  workspace: { type: 'string', description: 'workspace whose store (.tilecast/profiles) to use (default: the current directory)' },
  global: { type: 'boolean', description: "use the global store ~/.tilecast/profiles instead of the workspace's" },
  store: { type: 'string', description: 'use this store directory' },
};

export function storeFromFlags(f: Record<string, unknown>): StoreLocation {
  return storeLocation({
    dir: f.store as string | undefined,
    global: f.global === true,
    workspace: resolve((f.workspace as string | undefined) ?? process.cwd()),
  });
}
