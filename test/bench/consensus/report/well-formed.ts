/**
 * A small XML well-formedness check for the report's tests (no DOM parser in
 * Node): balanced tags, one root element, quoted attributes without
 * duplicates, no raw `<` in text or attributes, and only known entities.
 */

const NAME = '[A-Za-z_][\\w:.-]*';
const TAG = new RegExp(
  `<!--[\\s\\S]*?-->|<\\?[\\s\\S]*?\\?>|</(${NAME})\\s*>|<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`,
  'y',
);
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g');
const BAD_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

/** What is wrong with `xml` as a well-formed XML document; empty if nothing. */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  let at = 0;
  while (at < xml.length) {
    const next = xml.indexOf('<', at);
    const textEnd = next === -1 ? xml.length : next;
    const text = xml.slice(at, textEnd);
    if (BAD_AMPERSAND.test(text)) problems.push(`unescaped & in text at ${String(at)}`);
    if (stack.length === 0 && text.trim() !== '')
      problems.push(`text outside the root element at ${String(at)}`);
    if (next === -1) break;
    TAG.lastIndex = next;
    const match = TAG.exec(xml);
    if (match === null) {
      problems.push(`malformed markup at ${String(next)}: ${xml.slice(next, next + 40)}`);
      break;
    }
    const [whole, closing, opening, attributes = '', selfClosing] = match;
    if (closing !== undefined) {
      const open = stack.pop();
      if (open !== closing) problems.push(`</${closing}> closes <${open ?? 'nothing'}> at ${String(next)}`);
    } else if (opening !== undefined) {
      if (stack.length === 0) roots += 1;
      const seen = new Set<string>();
      for (const [, name = '', double, single] of attributes.matchAll(ATTRIBUTE)) {
        if (seen.has(name)) problems.push(`duplicate attribute ${name} on <${opening}> at ${String(next)}`);
        seen.add(name);
        if (BAD_AMPERSAND.test(double ?? single ?? ''))
          problems.push(`unescaped & in ${name} at ${String(next)}`);
      }
      if (selfClosing !== '/') stack.push(opening);
    }
    at = next + whole.length;
  }
  if (stack.length > 0) problems.push(`unclosed elements: ${stack.join(', ')}`);
  if (roots !== 1) problems.push(`${String(roots)} root elements`);
  return problems;
}
