import type { Request } from 'express';
import type { SessionData } from 'express-session';
import { HttpError } from './errors';

/**
 * The session's passed device check, if it is recent enough, or a 403.
 * `consume` uses it up: a check authorises one send, access or break-glass;
 * an upload before the send only needs it to be there.
 */
export function passedDeviceCheck(
  req: Request,
  now: number,
  maxAgeMs: number,
  use: 'keep' | 'consume',
): NonNullable<SessionData['deviceCheck']> {
  const check = req.session.deviceCheck;
  if (use === 'consume') delete req.session.deviceCheck;
  if (!check || now - check.at > maxAgeMs) {
    throw new HttpError(
      403,
      'DEVICE_CHECK_REQUIRED',
      'run the device check right before each upload, send or access (POST /api/device-checks)',
    );
  }
  return check;
}
