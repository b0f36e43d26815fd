/**
 * Who may erase a record, stated once: the record's recipient (the patient,
 * or the clinician who received it for them) asks, and an admin of each
 * organisation that holds the record (the sender's and the recipient's)
 * confirms. No single person, patient or admin, can erase alone, and no one
 * can erase a record without its recipient asking.
 */
export const ERASURE_RULE =
  "the record's recipient requests it, and an admin of the sender's and of the recipient's organisation each confirm";
