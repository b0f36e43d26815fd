import type { RecordLabel } from '../envelope/record-label';
import { formatDicomDate } from '../viewer/format';

/** A record's label as the list shows it: "CT CHEST · CT · 1 Dec 2026 · 120 files". */
export function labelText(label: RecordLabel): string {
  return [
    label.description,
    label.modality,
    label.date ? formatDicomDate(label.date) : undefined,
    label.files !== undefined && label.files > 1 ? `${String(label.files)} files` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(' · ');
}
