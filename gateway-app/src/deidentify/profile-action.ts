/**
 * The action codes of PS3.15 Table E.1-1a:
 * - `X` remove; `Z` replace with a zero-length value; `D` replace with a dummy value of the same VR;
 * - `U` replace the UID with another, consistently within the set of instances; `K` keep; `C` clean;
 * - `Z/D`, `X/Z`, `X/D`, `X/Z/D`: the first unless the IOD needs the attribute present (Type 2) or with
 *   a value (Type 1); `X/Z/U*`: remove, or keep with the UIDs inside replaced.
 */
export type ProfileAction = 'X' | 'Z' | 'D' | 'U' | 'K' | 'C' | 'Z/D' | 'X/Z' | 'X/D' | 'X/Z/D' | 'X/Z/U*';

/** What the de-identifier does to one attribute, once a compound action is resolved. */
export type Treatment = 'remove' | 'empty' | 'dummy' | 'remap-uids' | 'keep';

/**
 * Resolves an action without knowing the IOD: the form that keeps the data set valid whatever the
 * attribute's type in it, since conformance matters to the PACS that receives the study. `X/Z` leaves the
 * attribute present and empty, `Z/D`, `X/D` and `X/Z/D` give it a dummy value, and `X/Z/U*` keeps the
 * referencing sequence with the UIDs in it replaced, so references within the study still resolve.
 * `C` (clean) belongs to options MedShare does not offer; it is treated as `D`.
 */
export function treatmentOf(action: ProfileAction): Treatment {
  switch (action) {
    case 'X':
      return 'remove';
    case 'Z':
    case 'X/Z':
      return 'empty';
    case 'D':
    case 'C':
    case 'Z/D':
    case 'X/D':
    case 'X/Z/D':
      return 'dummy';
    case 'U':
    case 'X/Z/U*':
      return 'remap-uids';
    case 'K':
      return 'keep';
  }
}
