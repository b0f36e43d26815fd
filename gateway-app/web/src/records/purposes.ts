/** Purposes of use the chaincode accepts (HL7 v3 PurposeOfUse), with their names for people. */
export const PURPOSE_NAMES: Readonly<Record<string, string>> = {
  TREAT: 'Treatment',
  PATRQT: 'Patient request',
  CAREMGT: 'Care management',
  HOPERAT: 'Healthcare operations',
  ETREAT: 'Emergency treatment (break-glass)',
};

/** The break-glass purpose. */
export const EMERGENCY_PURPOSE = 'ETREAT';

/** What a role opens records for, most usual first (the emergency purpose is added when in force). */
export const OPEN_PURPOSES: Readonly<Record<string, readonly string[]>> = {
  doctor: ['TREAT', 'CAREMGT', 'HOPERAT'],
  patient: ['PATRQT'],
  technologist: ['HOPERAT', 'TREAT'],
};

/** What a patient can grant a doctor access for. */
export const GRANT_PURPOSES: readonly string[] = ['TREAT', 'CAREMGT', 'HOPERAT'];

/** "Treatment (TREAT)". */
export const purposeLabel = (code: string): string =>
  PURPOSE_NAMES[code] ? `${PURPOSE_NAMES[code]} (${code})` : code;
