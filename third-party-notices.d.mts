// Types of third-party-notices.mjs (plain JavaScript, as esbuild.mjs runs it) for the TypeScript tests.
export interface PackageNotice {
  name: string;
  version: string;
  licence: string;
  texts: string[];
}
export function packageRoot(path: string): string | null;
export function packageNotices(roots: Iterable<string>, io?: { read(path: string): string; list(dir: string): string[] }): PackageNotice[];
export function noticesText(notices: readonly PackageNotice[], notes?: readonly string[]): string;
