// The catalogue quick picks: one GPU (the primary, from the status bar) or several (the targets).
// The catalogue comes from the server (`tilecast/catalogue`); picking writes `tilecast.gpus`.
import * as vscode from 'vscode';
import { CATALOGUE_REQUEST, type CatalogueResult, type GpuSummary } from '../../server/src/ide/protocol';
import { catalogueItem } from './status-line';

type Request = <R>(method: string, params?: unknown) => Promise<R>;

interface GpuItem extends vscode.QuickPickItem {
  gpu: GpuSummary;
}

export function configuredGpus(): string[] {
  const value = vscode.workspace.getConfiguration('tilecast').get<unknown>('gpus');
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}

/** Writes where the user keeps the setting now: the workspace if it sets it there, else the user settings. */
async function writeGpus(gpus: string[]): Promise<void> {
  const config = vscode.workspace.getConfiguration('tilecast');
  const inspected = config.inspect<string[]>('gpus');
  const target =
    inspected?.workspaceFolderValue !== undefined || inspected?.workspaceValue !== undefined
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  await config.update('gpus', gpus, target);
}

async function catalogueItems(request: Request): Promise<GpuItem[]> {
  const catalogue = await request<CatalogueResult>(CATALOGUE_REQUEST);
  return catalogue.map((gpu) => ({ ...catalogueItem(gpu), gpu }));
}

/** Status-bar click: choose the primary GPU; it moves to the front of `tilecast.gpus`. */
export async function pickPrimaryGpu(request: Request): Promise<void> {
  const current = configuredGpus();
  const items = await catalogueItems(request);
  for (const item of items) if (item.gpu.id === current[0]) item.picked = true;
  const picked = await vscode.window.showQuickPick(items, {
    title: 'TileCast: primary GPU',
    placeHolder: 'Search by name, id, architecture, memory…',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return;
  await writeGpus([picked.gpu.id, ...current.filter((id) => id !== picked.gpu.id && id !== picked.gpu.name)]);
}

/** Choose every target GPU; the primary stays first when it is still chosen. */
export async function pickTargetGpus(request: Request): Promise<void> {
  const current = configuredGpus();
  const items = await catalogueItems(request);
  const chosen = new Set(current);
  for (const item of items) item.picked = chosen.has(item.gpu.id) || chosen.has(item.gpu.name);
  const picked = await vscode.window.showQuickPick(items, {
    title: 'TileCast: target GPUs (the first stays primary)',
    placeHolder: 'Search by name, id, architecture, memory…',
    canPickMany: true,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked || picked.length === 0) return;
  const ids = picked.map((item) => item.gpu.id);
  const keptOrder = current.filter((id) => ids.includes(id));
  await writeGpus([...keptOrder, ...ids.filter((id) => !keptOrder.includes(id))]);
}
