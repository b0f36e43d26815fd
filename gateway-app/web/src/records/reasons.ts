import type { EmergencyReason } from '../../../src/client/break-glass';

/** What each break-glass reason code means, for the doctor choosing it, the patient and the auditor. */
export const EMERGENCY_REASON_TEXT: Readonly<Record<EmergencyReason, string>> = {
  LIFE_THREATENING: 'Life-threatening emergency',
  UNCONSCIOUS: 'Patient unconscious, cannot consent',
  URGENT_CARE: 'Urgent care needed',
  OTHER: 'Other (explained in the written justification)',
};

/** A reason code's text; an unknown code is shown as it is. */
export const reasonText = (code: string): string =>
  (EMERGENCY_REASON_TEXT as Readonly<Record<string, string>>)[code] ?? code;
