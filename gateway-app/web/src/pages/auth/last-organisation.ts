// The one thing the sign-in pages keep in localStorage: nothing personal, only a convenience.
const KEY = 'medshare.lastOrganisation';

/** The organisation chosen last time, if it is still one of `organisations`; else the first. */
export function lastOrganisation(organisations: readonly string[]): string {
  const remembered = localStorage.getItem(KEY);
  return remembered && organisations.includes(remembered) ? remembered : (organisations[0] ?? '');
}

/** The organisation a link names (`?org=`), else the one chosen last time. */
export function linkedOrganisation(
  route: { params: URLSearchParams },
  organisations: readonly string[],
): string {
  const linked = route.params.get('org');
  return linked && organisations.includes(linked) ? linked : lastOrganisation(organisations);
}

/** Remembers the organisation chosen, for the next visit. */
export function rememberOrganisation(mspId: string): void {
  localStorage.setItem(KEY, mspId);
}
