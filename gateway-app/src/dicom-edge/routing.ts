import * as dcmjs from 'dcmjs';
import { parseAeTitle } from './ae-title';
import { DicomEdgeError } from './errors';

/**
 * Where the edge sends a study: the first rule that matches, in the order the operator gave them.
 * - `calling-ae:<AE>=<user-id>`: studies sent by that calling AE title;
 * - `tag:<Keyword>:<value>=<user-id>`: studies whose first instance has that top-level attribute value
 *   (for example `tag:Modality:MR=...` or `tag:ReferringPhysicianName:...`);
 * - `default=<user-id>`: every study no earlier rule took.
 */
export type RouteRule =
  | { readonly kind: 'calling-ae'; readonly aeTitle: string; readonly to: string }
  | {
      readonly kind: 'tag';
      readonly keyword: string;
      /** The attribute's tag as dicom-parser names it: `x` and eight lower-case hex digits. */
      readonly tag: string;
      readonly value: string;
      readonly to: string;
    }
  | { readonly kind: 'default'; readonly to: string };

/** What a study offers the rules: who sent it, and its first instance's attribute values. */
export interface RoutingFacts {
  readonly callingAe: string;
  /** A top-level attribute's value by its dicom-parser tag, trimmed; undefined when absent. */
  readonly value: (tag: string) => string | undefined;
}

const USER_ID = /^[0-9a-f]{64}$/;

function badRoute(rule: string, why: string): DicomEdgeError {
  return new DicomEdgeError('BAD_ROUTE', `route "${rule}": ${why}`);
}

/** The dicom-parser tag of a DICOM attribute keyword, from dcmjs's dictionary of the standard. */
export function tagOfKeyword(keyword: string): string | undefined {
  const entry = dcmjs.data.DicomMetaDictionary.nameMap[keyword];
  const match = entry ? /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(entry.tag) : null;
  return match ? `x${(match[1] ?? '').toLowerCase()}${(match[2] ?? '').toLowerCase()}` : undefined;
}

/**
 * Reads one rule (see {@link RouteRule}).
 *
 * @throws {@link DicomEdgeError} `BAD_ROUTE`, naming the rule and what is wrong with it.
 */
export function parseRouteRule(text: string): RouteRule {
  const split = text.lastIndexOf('=');
  if (split < 0) throw badRoute(text, 'give MATCH=USER-ID');
  const match = text.slice(0, split);
  const to = text.slice(split + 1);
  if (!USER_ID.test(to)) throw badRoute(text, 'the recipient is a user id of 64 lower-case hex characters');
  if (match === 'default') return { kind: 'default', to };
  if (match.startsWith('calling-ae:')) {
    try {
      return { kind: 'calling-ae', aeTitle: parseAeTitle(match.slice('calling-ae:'.length)), to };
    } catch (error) {
      throw badRoute(text, (error as Error).message);
    }
  }
  if (match.startsWith('tag:')) {
    const rest = match.slice('tag:'.length);
    const colon = rest.indexOf(':');
    const keyword = colon < 0 ? rest : rest.slice(0, colon);
    const tag = tagOfKeyword(keyword);
    if (tag === undefined) throw badRoute(text, `"${keyword}" is not a DICOM attribute keyword`);
    if (colon < 0 || rest.slice(colon + 1).trim() === '') throw badRoute(text, 'give tag:KEYWORD:VALUE');
    return { kind: 'tag', keyword, tag, value: rest.slice(colon + 1).trim(), to };
  }
  throw badRoute(text, 'a rule starts with calling-ae:, tag: or default');
}

/** The recipient of a study: the first matching rule's user id, or undefined when none matches. */
export function routeStudy(rules: readonly RouteRule[], facts: RoutingFacts): string | undefined {
  for (const rule of rules) {
    switch (rule.kind) {
      case 'default':
        return rule.to;
      case 'calling-ae':
        if (rule.aeTitle === facts.callingAe) return rule.to;
        break;
      case 'tag':
        if (facts.value(rule.tag) === rule.value) return rule.to;
        break;
    }
  }
  return undefined;
}
