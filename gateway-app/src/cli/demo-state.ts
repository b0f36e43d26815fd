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
  /** Their organisation's gateway, where they sign in. */
  gatewayUrl: string;
  /** The passphrase of the key backup the gateway keeps (users enrolled by the demo, not operators). */
  backupPassphrase?: string;
}

/** One organisation's gateway, as the demo started it. */
export interface DemoGateway {
  /** The organisation's key, such as `hospital-a`. */
  org: string;
  mspId: string;
  /** For people: "St Mary Hospital". */
  name: string;
  url: string;
}

/** What `npm start` keeps in `.run/<name>-<port>/app/demo/demo.json` (mode 0600). */
export interface DemoState {
  /** One per peer organisation. */
  gateways: DemoGateway[];
  users: DemoUser[];
  agents: { org: string; url: string }[];
}
