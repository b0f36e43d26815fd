import type BetterSqlite3 from 'better-sqlite3';
import { X509Certificate } from 'node:crypto';
import { deviceIdOf } from './certificate';
import { DeviceError } from './errors';

/** Whether a device may be used: operators suspend a lost or compromised device. */
export type DeviceStatus = 'active' | 'suspended';

/** A device the gateway knows. */
export interface DeviceRecord {
  /** SHA-256 hex of the certificate's SubjectPublicKeyInfo DER. */
  deviceId: string;
  mspId: string;
  /** The Fabric CA enrolment id the operator registered for the device. */
  enrollmentId: string;
  certificatePem: string;
  status: DeviceStatus;
  /** ISO 8601. */
  enrolledAt: string;
  /** ISO 8601 time of the last report that passed every check, or `null`. */
  lastSeenAt: string | null;
}

/** What {@link DeviceRegistry.add} records. */
export interface AddDeviceInput {
  mspId: string;
  enrollmentId: string;
  certificatePem: string;
  /** When the device was enrolled (default now). */
  at?: Date;
}

interface DeviceRow {
  device_id: string;
  msp_id: string;
  enrollment_id: string;
  certificate_pem: string;
  status: DeviceStatus;
  enrolled_at: string;
  last_seen_at: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY CHECK (length(device_id) = 64),
  msp_id TEXT NOT NULL,
  enrollment_id TEXT NOT NULL,
  certificate_pem TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
  enrolled_at TEXT NOT NULL,
  last_seen_at TEXT
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS devices_by_enrolment ON devices (msp_id, enrollment_id);
`;

function toRecord(row: DeviceRow): DeviceRecord {
  return {
    deviceId: row.device_id,
    mspId: row.msp_id,
    enrollmentId: row.enrollment_id,
    certificatePem: row.certificate_pem,
    status: row.status,
    enrolledAt: row.enrolled_at,
    lastSeenAt: row.last_seen_at,
  };
}

/**
 * The gateway's devices, in its SQLite database. A device is its key pair (the id is the hash of the
 * public key) and belongs to one Fabric CA enrolment: one enrolment id names one device.
 */
export class DeviceRegistry {
  readonly #db: BetterSqlite3.Database;

  /** Uses `db` as is, creating the `devices` table if it does not exist. */
  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
    this.#ensureSchema();
  }

  #ensureSchema(): void {
    this.#db.exec(SCHEMA);
  }

  /**
   * Records a device the organisation's CA has just certified. Re-enrolment replaces the enrolment's
   * previous device, so an old key stops working when a new one is certified; a suspension of the
   * enrolment or of the key carries over, so re-enrolling does not lift it. Throws {@link DeviceError}
   * INVALID_ARGUMENT when the certificate cannot be parsed.
   */
  add(input: AddDeviceInput): DeviceRecord {
    let deviceId: string;
    try {
      deviceId = deviceIdOf(new X509Certificate(input.certificatePem));
    } catch (cause) {
      throw new DeviceError('INVALID_ARGUMENT', 'the device certificate cannot be parsed', { cause });
    }
    if (input.mspId === '' || input.enrollmentId === '') {
      throw new DeviceError('INVALID_ARGUMENT', 'mspId and enrollmentId must not be empty');
    }
    const at = (input.at ?? new Date()).toISOString();
    const upsert = this.#db.transaction(() => {
      const previous = this.#db
        .prepare<[string, string, string], Pick<DeviceRow, 'status'>>(
          'SELECT status FROM devices WHERE device_id = ? OR (msp_id = ? AND enrollment_id = ?)',
        )
        .all(deviceId, input.mspId, input.enrollmentId);
      const status: DeviceStatus = previous.some((p) => p.status === 'suspended') ? 'suspended' : 'active';
      this.#db
        .prepare('DELETE FROM devices WHERE msp_id = ? AND enrollment_id = ? AND device_id <> ?')
        .run(input.mspId, input.enrollmentId, deviceId);
      this.#db
        .prepare(
          `INSERT INTO devices (device_id, msp_id, enrollment_id, certificate_pem, status, enrolled_at, last_seen_at)
           VALUES (?, ?, ?, ?, ?, ?, NULL)
           ON CONFLICT (device_id) DO UPDATE SET
             msp_id = excluded.msp_id,
             enrollment_id = excluded.enrollment_id,
             certificate_pem = excluded.certificate_pem,
             status = excluded.status,
             enrolled_at = excluded.enrolled_at`,
        )
        .run(deviceId, input.mspId, input.enrollmentId, input.certificatePem, status, at);
    });
    upsert.immediate();
    const record = this.get(deviceId);
    if (!record) throw new DeviceError('INVALID_ARGUMENT', 'the device was not recorded');
    return record;
  }

  /** The device with this id, or `undefined`. */
  get(deviceId: string): DeviceRecord | undefined {
    const row = this.#db
      .prepare<[string], DeviceRow>('SELECT * FROM devices WHERE device_id = ?')
      .get(deviceId);
    return row ? toRecord(row) : undefined;
  }

  /** An organisation's devices, oldest enrolment first. */
  list(mspId: string): DeviceRecord[] {
    return this.#db
      .prepare<[string], DeviceRow>('SELECT * FROM devices WHERE msp_id = ? ORDER BY enrolled_at, device_id')
      .all(mspId)
      .map(toRecord);
  }

  /** Suspends or reactivates a device; false when there is no such device. */
  setStatus(deviceId: string, status: DeviceStatus): boolean {
    return (
      this.#db.prepare('UPDATE devices SET status = ? WHERE device_id = ?').run(status, deviceId).changes > 0
    );
  }

  /** Records that the device passed a check at `at`. */
  touch(deviceId: string, at: Date): void {
    this.#db
      .prepare('UPDATE devices SET last_seen_at = ? WHERE device_id = ?')
      .run(at.toISOString(), deviceId);
  }
}
