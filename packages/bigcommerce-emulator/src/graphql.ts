/**
 * A tiny GraphQL query matcher: enough to answer `customer { firstName lastName email }`.
 * Not a GraphQL implementation (no validation, fragments or variables).
 */

export interface ParsedQuery {
  operationType: 'query' | 'mutation' | 'subscription';
  operationName: string | undefined;
  /** Response keys → field names selected under `customer`, or `undefined` when `customer` is not queried. */
  customerFields: Array<{ key: string; field: string }> | undefined;
  /** Rough complexity: the number of fields selected. */
  complexity: number;
}

const NAME = /[_A-Za-z][_0-9A-Za-z]*/y;

function stripComments(query: string): string {
  // `#` starts a comment outside strings; strings are rare in the queries we answer.
  return query.replace(/"(?:[^"\\]|\\.)*"|#[^\n\r]*/g, (m) => (m.startsWith('#') ? '' : m));
}

/** Index just after the `}` that closes the `{` at `open`, or -1. */
function closeOf(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Top-level fields of a selection set body (between braces), with aliases. */
function topLevelFields(body: string): Array<{ key: string; field: string }> {
  const fields: Array<{ key: string; field: string }> = [];
  let depth = 0;
  let parens = 0;
  let i = 0;
  while (i < body.length) {
    const c = body[i] as string;
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === '(') parens++;
    else if (c === ')') parens--;
    else if (depth === 0 && parens === 0 && /[_A-Za-z]/.test(c)) {
      NAME.lastIndex = i;
      const m = NAME.exec(body);
      if (m) {
        const first = m[0];
        let j = NAME.lastIndex;
        while (j < body.length && /\s/.test(body[j] as string)) j++;
        if (body[j] === ':') {
          j++;
          while (j < body.length && /\s/.test(body[j] as string)) j++;
          NAME.lastIndex = j;
          const n = NAME.exec(body);
          if (n) {
            fields.push({ key: first, field: n[0] });
            i = NAME.lastIndex;
            continue;
          }
        }
        fields.push({ key: first, field: first });
        i = NAME.lastIndex;
        continue;
      }
    }
    i++;
  }
  return fields;
}

export function parseQuery(source: string): ParsedQuery {
  const query = stripComments(source).trim();
  const head = /^(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/.exec(query);
  const operationType = (head?.[1] as ParsedQuery['operationType'] | undefined) ?? 'query';
  const operationName = head?.[2];
  const complexity = (query.match(/[_A-Za-z][_0-9A-Za-z]*\s*(?=[{}\s(,:]|$)/g) ?? []).length;
  const m = /(?:^|[{\s,])customer\s*(?:\([^)]*\))?\s*\{/.exec(query);
  let customerFields: ParsedQuery['customerFields'];
  if (m && operationType === 'query') {
    const open = m.index + m[0].length - 1;
    const end = closeOf(query, open);
    customerFields = end < 0 ? [] : topLevelFields(query.slice(open + 1, end - 1));
  }
  return { operationType, operationName, customerFields, complexity: Math.max(1, complexity) };
}
