// A small, strict argument parser for the `tilecast` sub-commands: declared flags only, clear
// messages for unknown or malformed ones. It must not know what any command does.

export interface FlagSpec {
  /** 'boolean' flags take no value; 'string' flags take one; 'list' flags may repeat. */
  type: 'boolean' | 'string' | 'list';
  description: string;
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positional: string[];
}

export type ParseResult = { ok: true; args: ParsedArgs } | { ok: false; error: string };

export function parseArgs(argv: string[], specs: Record<string, FlagSpec>): ParseResult {
  const flags: ParsedArgs['flags'] = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs[name];
    if (!spec) {
      const near = nearestName(name, Object.keys(specs));
      return { ok: false, error: `unknown option --${name}${near ? `; did you mean --${near}?` : ''}` };
    }
    if (spec.type === 'boolean') {
      if (eq >= 0) return { ok: false, error: `--${name} takes no value` };
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    if (value === undefined) return { ok: false, error: `--${name} needs a value` };
    if (spec.type === 'list') {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(value);
      flags[name] = list;
    } else {
      flags[name] = value;
    }
  }
  return { ok: true, args: { flags, positional } };
}

/** The declared name closest to `name` (one that starts with it, or 1 edit away; 2 for names over 3 letters), if any. */
function nearestName(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = name.length > 3 ? 3 : 2;
  for (const candidate of names) {
    const distance = candidate.startsWith(name) && name.length >= 2 ? 1 : editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance (insertions, deletions, substitutions), for option names of a few characters. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The one line an argument error prints: the command, the message and where the usage is. Never the
 * whole usage: that buries the message (`--help` prints it).
 */
export function argumentError(command: string, message: string): string {
  return `tilecast ${command}: ${message} (see 'tilecast ${command} --help')\n`;
}

export function formatFlags(specs: Record<string, FlagSpec>): string {
  return Object.entries(specs)
    .map(([name, spec]) => `  --${name}${spec.type === 'boolean' ? '' : ' VALUE'}${spec.type === 'list' ? ' (repeatable)' : ''}\n      ${spec.description}`)
    .join('\n');
}

/** Parses a positive integer flag; returns an error message for anything else. */
export function positiveInteger(value: string | undefined, name: string): { ok: true; value: number | undefined } | { ok: false; error: string } {
  if (value === undefined) return { ok: true, value: undefined };
  if (!/^\d+$/.test(value.trim())) return { ok: false, error: `--${name} must be a positive integer, got '${value}'` };
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) return { ok: false, error: `--${name} must be a positive integer, got '${value}'` };
  return { ok: true, value: parsed };
}
