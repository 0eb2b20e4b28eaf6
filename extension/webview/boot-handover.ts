// What the chart page's first-paint script (boot.ts) hands to the full script (main.ts) when it starts it:
// the VS Code API (which a page may acquire only once), the page nonce, the host's messages so far and the
// requests whose charts it already reported painted. Types only.
import type { HostMessage, PaintMarks, WebviewMessage } from './messages';

export interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export interface BootHandover {
  host: VsCodeApi;
  nonce: string;
  /** The host's messages boot.ts received, in order (main.ts replays them). */
  messages: HostMessage[];
  /** Requests whose chart boot.ts drew and reported `rendered` (main.ts redraws them with Plot, reporting nothing). */
  reported: number[];
  /** The page's load marks; sent with its first `rendered`. */
  marks: PaintMarks;
  firstPaintSent: boolean;
}

/** Where boot.ts leaves the handover for main.ts. */
export const HANDOVER_KEY = 'tilecastBoot';
