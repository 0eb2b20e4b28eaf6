// Reads the parameter list of a Python `def` or `lambda` into plain records (name, annotation,
// default). Syntax only: no evaluation, no judgement about what a parameter means.
import type { SyntaxNode } from './tree';
import { field, syntaxChildren } from './syntax';

export interface PythonParameter {
  name: string;
  node: SyntaxNode;
  nameNode: SyntaxNode;
  annotation: SyntaxNode | null;
  defaultValue: SyntaxNode | null;
  /** `*args` collects extra positionals, `**kwargs` extra keywords; `keyword-only` follows `*`. */
  kind: 'positional' | 'keyword-only' | 'varargs' | 'kwargs';
}

export function readParameters(definition: SyntaxNode): PythonParameter[] {
  const list = field(definition, 'parameters');
  if (!list) return [];
  const result: PythonParameter[] = [];
  let keywordOnly = false;
  for (const child of syntaxChildren(list)) {
    const kind = keywordOnly ? 'keyword-only' : 'positional';
    switch (child.type) {
      case 'identifier':
        result.push({ name: child.text, node: child, nameNode: child, annotation: null, defaultValue: null, kind });
        break;
      case 'typed_parameter': {
        const inner = syntaxChildren(child)[0];
        const annotation = field(child, 'type');
        if (!inner) break;
        if (inner.type === 'list_splat_pattern' || inner.type === 'dictionary_splat_pattern') {
          const name = syntaxChildren(inner)[0];
          if (name)
            result.push({
              name: name.text,
              node: child,
              nameNode: name,
              annotation,
              defaultValue: null,
              kind: inner.type === 'list_splat_pattern' ? 'varargs' : 'kwargs',
            });
          if (inner.type === 'list_splat_pattern') keywordOnly = true;
        } else {
          result.push({ name: inner.text, node: child, nameNode: inner, annotation, defaultValue: null, kind });
        }
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter': {
        const name = field(child, 'name');
        if (name) result.push({ name: name.text, node: child, nameNode: name, annotation: field(child, 'type'), defaultValue: field(child, 'value'), kind });
        break;
      }
      case 'list_splat_pattern':
      case 'dictionary_splat_pattern': {
        const name = syntaxChildren(child)[0];
        if (name)
          result.push({
            name: name.text,
            node: child,
            nameNode: name,
            annotation: null,
            defaultValue: null,
            kind: child.type === 'list_splat_pattern' ? 'varargs' : 'kwargs',
          });
        if (child.type === 'list_splat_pattern') keywordOnly = true;
        break;
      }
      case 'keyword_separator':
        keywordOnly = true;
        break;
      default:
        break;
    }
  }
  return result;
}
