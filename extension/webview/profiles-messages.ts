// The typed messages between the extension host (extension/src/profiles-panel.ts) and the "Show my
// profiles" webview (extension/webview/profiles.ts). Types and a guard only; data never enters the HTML.
import type { ProfileFilters, ProfileRow } from '../src/profiles-table';

/** A row with the server's prediction for it (null: none, then `predictionError`). */
export type ProfileTableRow = ProfileRow & { predictedMs: number | null; predictionError?: string };

/** Host -> webview. */
export type ProfilesHostMessage = { type: 'profiles'; store: string; rows: ProfileTableRow[]; problems: string[] } | { type: 'failed'; message: string };

/** Webview -> host. */
export type ProfilesWebviewMessage =
  | { type: 'ready' }
  | { type: 'refresh' }
  /** Export the rows that pass these filters as CSV. */
  | { type: 'exportCsv'; filters: ProfileFilters }
  | { type: 'scriptError'; message: string };

const optionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';

export function isProfilesWebviewMessage(value: unknown): value is ProfilesWebviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as { type?: unknown; filters?: unknown; message?: unknown };
  switch (message.type) {
    case 'ready':
    case 'refresh':
      return true;
    case 'exportCsv': {
      const f = message.filters as Record<string, unknown> | null;
      return typeof f === 'object' && f !== null && optionalString(f.gpu) && optionalString(f.dtype) && optionalString(f.kernel) && optionalString(f.text);
    }
    case 'scriptError':
      return typeof message.message === 'string';
    default:
      return false;
  }
}
