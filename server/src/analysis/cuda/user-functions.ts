// The file's functions that constant folding can call: a body that is a single `return EXPR;`
// (`constexpr int ceil_div(int a, int b) { return (a + b - 1) / b; }`, also `inline`, `static`,
// `__host__ __device__`, templated on types, or on values given at the call or by default), bound in a
// layer over the file's environment (folding/evaluate.ts FunctionBinding): `dim3 grid(ceil_div(N, 128))`
// folds. Candidates are the outline's functions whose text ends in `{ return ...; }` (a cheap test from
// their end); each is then read from the tree. The layer is reused while what was read is unchanged, so
// an edit elsewhere keeps the environment (and every cache keyed on it). Pure.
import type { Node } from 'web-tree-sitter';
import type { Binding, FoldEnv, FunctionBinding } from '../folding';
import { declaredName, namedChildrenOf, sourceText } from './syntax';

const textOf = (text: string, node: Node | null): string | null => (node ? sourceText(text, node) : null);

/** Longer functions are not read (a single `return` of a longer expression is rare and costs a read per analysis). */
const MAX_FUNCTION_CHARS = 2000;

export interface UserFunctions {
  /** The file's environment with the functions after it (a constant or macro of the same name wins). */
  env: FoldEnv;
  base: FoldEnv;
  /** What was read, offset-free: equal signatures over the same base give the same environment. */
  signature: string;
}

/** The layer of the file's single-`return` functions over `base`; the cache's previous one when it reads the same (kept in `cache`). */
export function withUserFunctions(
  base: FoldEnv,
  root: Node,
  text: string,
  functionRanges: ReadonlyArray<{ start: number; end: number }>,
  cache: { userFunctions?: UserFunctions } | null,
): UserFunctions {
  const found: Array<{ names: string[]; binding: FunctionBinding }> = [];
  for (const range of functionRanges) {
    if (range.end - range.start > MAX_FUNCTION_CHARS || !endsInReturn(text, range.start, range.end)) continue;
    const read = readFunction(root, text, range.start);
    if (read) found.push(read);
  }
  const signature = JSON.stringify(found.map(({ names, binding }) => [names, binding.params, binding.templateParams, binding.body, binding.integer]));
  const previous = cache?.userFunctions;
  if (previous && previous.signature === signature && previous.base === base) return previous;
  const result = found.length === 0 ? { env: base, base, signature } : { env: layer(base, found), base, signature };
  if (cache) cache.userFunctions = result;
  return result;
}

/** `base`, then the functions by name. */
function layer(base: FoldEnv, found: Array<{ names: string[]; binding: FunctionBinding }>): FoldEnv {
  // A name defined twice differently (overloads, two namespaces) is left to the caller's other rules.
  const table = new Map<string, FunctionBinding | null>();
  for (const { names, binding } of found) {
    for (const name of names) {
      const known = table.get(name);
      if (known === undefined) table.set(name, binding);
      else if (known && JSON.stringify(known) !== JSON.stringify(binding)) table.set(name, null);
    }
  }
  const env: FoldEnv = { lookup: (name: string): Binding | undefined => base.lookup(name) ?? table.get(name) ?? undefined };
  for (const { binding } of found) binding.scope = env;
  return env;
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** Whether [start, end) ends in `{ return X; }`: from the end back, `}`, `;`, and `{ return` before any other `;`. */
function endsInReturn(text: string, start: number, end: number): boolean {
  let i = end - 1;
  if (text.charCodeAt(i) !== 125 /* } */) return false;
  for (i--; i > start && isSpace(text.charCodeAt(i)); i--);
  if (text.charCodeAt(i) !== 59 /* ; */) return false;
  let c = 0;
  for (i--; i > start && (c = text.charCodeAt(i)) !== 59 && c !== 123 && c !== 125; i--);
  if (c !== 123 /* { */) return false;
  for (i++; i < end && isSpace(text.charCodeAt(i)); i++);
  return text.startsWith('return', i) && !/\w/.test(text[i + 6] ?? '');
}

/** The conversion a type makes: integer (true), floating (false), or unknown (null: `auto`, `T`). */
function conversionOf(type: string): boolean | null {
  if (/\b(int|unsigned|signed|long|short|size_t|ssize_t|ptrdiff_t|u?int(8|16|32|64)_t|uint|index_t|char|bool)\b/.test(type)) return true;
  if (/\b(float|double)\b/.test(type)) return false;
  return null;
}

/** The function defined at `start` when its body is one `return EXPR;`: its names (unqualified, then with its namespaces) and binding. */
function readFunction(root: Node, text: string, start: number): { names: string[]; binding: FunctionBinding } | null {
  let definition: Node | null = root.descendantForIndex(start);
  for (let step = 0; definition && !(definition.type === 'function_definition' && definition.startIndex === start) && step < 64; step++)
    definition = definition.parent;
  if (!definition || definition.type !== 'function_definition') return null;
  const statements = namedChildrenOf(definition.childForFieldName('body') ?? definition).filter((c) => c.type !== 'comment');
  const returned =
    statements.length === 1 && statements[0]!.type === 'return_statement' ? namedChildrenOf(statements[0]!).filter((c) => c.type !== 'comment') : [];
  const declarator = definition.childForFieldName('declarator');
  const nameNode = declarator?.type === 'function_declarator' ? declarator.childForFieldName('declarator') : null;
  const returnType = definition.childForFieldName('type')?.text ?? '';
  if (returned.length !== 1 || !nameNode || (nameNode.type !== 'identifier' && nameNode.type !== 'qualified_identifier') || returnType === 'void') return null;

  const params: FunctionBinding['params'] = [];
  for (const param of namedChildrenOf(declarator!.childForFieldName('parameters') ?? declarator!)) {
    if (param.type === 'comment') continue;
    if (param.type !== 'parameter_declaration' && param.type !== 'optional_parameter_declaration') return null; // variadic
    const name = declaredName(param.childForFieldName('declarator'));
    const type = param.childForFieldName('type')?.text ?? '';
    if (!name) {
      if (type === 'void' && params.length === 0) continue; // `f(void)`
      return null;
    }
    const pointer = /^[*&]*\*/.test(param.childForFieldName('declarator')!.text);
    params.push({ name: name.text, integer: pointer ? null : conversionOf(type), defaultValue: textOf(text, param.childForFieldName('default_value')) });
  }
  const templateParams: FunctionBinding['templateParams'] = [];
  const template = definition.parent?.type === 'template_declaration' ? definition.parent : null;
  for (const param of template ? namedChildrenOf(template.childForFieldName('parameters') ?? template) : []) {
    if (param.type === 'type_parameter_declaration' || param.type === 'optional_type_parameter_declaration') {
      const name = param.childForFieldName('name') ?? namedChildrenOf(param).find((c) => c.type === 'type_identifier');
      if (!name) return null;
      templateParams.push({ name: name.text, value: false, defaultValue: null });
    } else if (param.type === 'parameter_declaration' || param.type === 'optional_parameter_declaration') {
      const name = declaredName(param.childForFieldName('declarator'));
      if (!name) return null;
      templateParams.push({ name: name.text, value: true, defaultValue: textOf(text, param.childForFieldName('default_value')) });
    } else if (param.type !== 'comment') return null; // a pack or template template parameter
  }

  // Names: `f`, then `inner::f`, `outer::inner::f` for the namespaces around it.
  const simple = nameNode.text.split('::').pop()!;
  const names = [simple];
  let qualified = simple;
  for (let node = definition.parent, step = 0; node && step < 16; node = node.parent, step++) {
    if (node.type !== 'namespace_definition') continue;
    const namespace = node.childForFieldName('name')?.text;
    if (!namespace) break;
    qualified = `${namespace}::${qualified}`;
    names.push(qualified);
  }
  return { names, binding: { kind: 'function', params, templateParams, body: sourceText(text, returned[0]!), integer: conversionOf(returnType) } };
}
