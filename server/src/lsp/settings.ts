// Reads the `tilecast.*` settings the client sends (any JSON at all) into TilecastSettings, keeping the
// default for every value that is missing or unusable and saying why in one log line per value, and
// resolves the GPU names against the catalogue. It must not talk to the client itself.
import type { Dtype } from '../analysis/types';
import { resolveGpu } from '../perf/gpu-catalogue';
import type { GpuSpec } from '../perf/types';
import {
  DEFAULT_SETTINGS,
  DIAGNOSTIC_CODES,
  type DiagnosticCode,
  type InlayHintMode,
  type RuleSeverity,
  type StatusParams,
  type TilecastSettings,
} from '../ide/protocol';

export interface ReadSettings {
  settings: TilecastSettings;
  /** One line per value that was ignored, naming the setting and what was kept. */
  problems: string[];
}

const DTYPES: readonly Dtype[] = ['fp64', 'fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'int8', 'fp4'];
const INLAY_MODES: readonly InlayHintMode[] = ['off', 'time', 'time+power+energy'];
const SEVERITIES: readonly RuleSeverity[] = ['error', 'warning', 'information', 'hint', 'off'];
const MEASUREMENT_METHODS: readonly TilecastSettings['measurementMethod'][] = ['kernel', 'pytorch-eager', 'triton-do-bench'];
/** Problem dimensions above this are typos, not GEMMs (2^31 elements per side overflows int indexing anyway). */
const MAX_DIMENSION = 2 ** 31;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A short, single-line rendering of a bad value for a log line. */
function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: this replaces control characters on purpose
  text = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function oneOf<T extends string>(raw: unknown, allowed: readonly T[], name: string, fallback: T, problems: string[]): T {
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw === 'string' && (allowed as readonly string[]).includes(raw)) return raw as T;
  problems.push(`tilecast.${name}: ${show(raw)} is not one of ${allowed.join(', ')}; using '${fallback}'`);
  return fallback;
}

function dimension(raw: unknown, name: string, fallback: number, problems: string[]): number {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 && raw <= MAX_DIMENSION) return raw;
  problems.push(`tilecast.defaultProblemSize.${name}: ${show(raw)} is not a whole number from 1 to ${MAX_DIMENSION}; using ${fallback}`);
  return fallback;
}

/** Settings from the value of the section "tilecast" (workspace/configuration or didChangeConfiguration). */
export function readSettings(raw: unknown): ReadSettings {
  const problems: string[] = [];
  const defaults = DEFAULT_SETTINGS;
  if (raw === undefined || raw === null) return { settings: { ...defaults }, problems };
  if (!isRecord(raw)) {
    problems.push(`tilecast: settings ${show(raw)} are not an object; using the defaults`);
    return { settings: { ...defaults }, problems };
  }

  let gpus = defaults.gpus;
  if (raw.gpus !== undefined && raw.gpus !== null) {
    const list = typeof raw.gpus === 'string' ? [raw.gpus] : raw.gpus;
    if (!Array.isArray(list)) problems.push(`tilecast.gpus: ${show(raw.gpus)} is not a list of GPU names; using ${defaults.gpus.join(', ')}`);
    else {
      const names = list.filter((name): name is string => typeof name === 'string' && name.trim() !== '').map((name) => name.trim());
      if (names.length < list.length) problems.push(`tilecast.gpus: ignored ${list.length - names.length} entries that are not GPU names`);
      if (names.length > 0) gpus = [...new Set(names)];
      else if (list.length > 0) problems.push(`tilecast.gpus: no GPU names left; using ${defaults.gpus.join(', ')}`);
    }
  }

  let defaultProblemSize = defaults.defaultProblemSize;
  if (raw.defaultProblemSize !== undefined && raw.defaultProblemSize !== null) {
    const size = raw.defaultProblemSize;
    if (!isRecord(size)) problems.push(`tilecast.defaultProblemSize: ${show(size)} is not an object { m, n, k }; using the default`);
    else {
      defaultProblemSize = {
        m: dimension(size.m ?? size.M, 'm', defaults.defaultProblemSize.m, problems),
        n: dimension(size.n ?? size.N, 'n', defaults.defaultProblemSize.n, problems),
        k: dimension(size.k ?? size.K, 'k', defaults.defaultProblemSize.k, problems),
      };
    }
  }

  const diagnostics: Partial<Record<DiagnosticCode, RuleSeverity>> = {};
  if (raw.diagnostics !== undefined && raw.diagnostics !== null) {
    if (!isRecord(raw.diagnostics)) problems.push(`tilecast.diagnostics: ${show(raw.diagnostics)} is not an object of rule severities; using the defaults`);
    else {
      for (const [code, severity] of Object.entries(raw.diagnostics)) {
        if (!(DIAGNOSTIC_CODES as readonly string[]).includes(code)) {
          problems.push(`tilecast.diagnostics: unknown rule ${show(code)} (known: ${DIAGNOSTIC_CODES.join(', ')})`);
          continue;
        }
        if (typeof severity === 'string' && (SEVERITIES as readonly string[]).includes(severity))
          diagnostics[code as DiagnosticCode] = severity as RuleSeverity;
        else problems.push(`tilecast.diagnostics.${code}: ${show(severity)} is not one of ${SEVERITIES.join(', ')}; keeping the rule's default`);
      }
    }
  }

  let modelPath = defaults.modelPath;
  if (raw.modelPath !== undefined && raw.modelPath !== null) {
    if (typeof raw.modelPath === 'string') modelPath = raw.modelPath.trim();
    else problems.push(`tilecast.modelPath: ${show(raw.modelPath)} is not a path; using the shipped models`);
  }

  let includePaths = defaults.includePaths;
  if (raw.includePaths !== undefined && raw.includePaths !== null) {
    const list = typeof raw.includePaths === 'string' ? [raw.includePaths] : raw.includePaths;
    if (!Array.isArray(list)) problems.push(`tilecast.includePaths: ${show(raw.includePaths)} is not a list of folders; searching beside each file only`);
    else {
      includePaths = list.filter((path): path is string => typeof path === 'string' && path.trim() !== '').map((path) => path.trim());
      if (includePaths.length < list.length) problems.push(`tilecast.includePaths: ignored ${list.length - includePaths.length} entries that are not folders`);
    }
  }

  let compileCommandsDir = defaults.compileCommandsDir;
  if (raw.compileCommandsDir !== undefined && raw.compileCommandsDir !== null) {
    if (typeof raw.compileCommandsDir === 'string') compileCommandsDir = raw.compileCommandsDir.trim();
    else problems.push(`tilecast.compileCommandsDir: ${show(raw.compileCommandsDir)} is not a folder; looking for compile_commands.json above each file`);
  }

  return {
    settings: {
      gpus,
      defaultProblemSize,
      defaultDtype: oneOf(raw.defaultDtype, DTYPES, 'defaultDtype', defaults.defaultDtype, problems),
      inlayHints: oneOf(raw.inlayHints, INLAY_MODES, 'inlayHints', defaults.inlayHints, problems),
      diagnostics,
      modelPath,
      measurementMethod: oneOf(raw.measurementMethod, MEASUREMENT_METHODS, 'measurementMethod', defaults.measurementMethod, problems),
      includePaths,
      compileCommandsDir,
    },
    problems,
  };
}

export interface ResolvedGpus {
  /** Primary first; never empty (falls back to the default GPUs when no name resolves). */
  gpus: GpuSpec[];
  unknown: StatusParams['unknownGpus'];
  problems: string[];
}

/** Looks each name up in the catalogue; unknown names are reported with suggestions and skipped. */
export function resolveGpus(names: readonly string[]): ResolvedGpus {
  const gpus: GpuSpec[] = [];
  const unknown: StatusParams['unknownGpus'] = [];
  const problems: string[] = [];
  for (const name of names) {
    const resolved = resolveGpu(name);
    if (resolved.ok) {
      if (!gpus.some((gpu) => gpu.id === resolved.gpu.id)) gpus.push(resolved.gpu);
    } else {
      unknown.push({ name, suggestions: resolved.suggestions });
      problems.push(`tilecast.gpus: ${resolved.error}`);
    }
  }
  if (gpus.length === 0) {
    for (const name of DEFAULT_SETTINGS.gpus) {
      const fallback = resolveGpu(name);
      if (fallback.ok) gpus.push(fallback.gpu);
    }
    if (names.length > 0)
      problems.push(`tilecast.gpus: none of ${names.join(', ')} is in the catalogue; predicting for ${gpus.map((gpu) => gpu.id).join(', ')}`);
  }
  return { gpus, unknown, problems };
}
