/** A demo user, as printed for the person trying the system. */
export interface DemoUser {
  /** The organisation's key in the network description, such as `hospital-a`. */
  org: string;
  mspId: string;
  name: string;
  role: string;
  password: string;
  totpSecret: string;
  keyFile: string;
  userId: string;
  /** The passphrase of the key backup the gateway keeps (users enrolled by the demo, not operators). */
  backupPassphrase?: string;
}

/** What `npm start` keeps in `.run/<name>-<port>/app/demo/demo.json` (mode 0600). */
export interface DemoState {
  url: string;
  users: DemoUser[];
  agents: { org: string; url: string }[];
}
