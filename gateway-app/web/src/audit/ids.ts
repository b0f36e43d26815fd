/** A long hex id (user, transaction) shortened for the screen: its head and tail, the full id goes in a title. */
export const shortHex = (id: string): string => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);
