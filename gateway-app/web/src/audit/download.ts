import { saveBlob } from '../app/save-blob';
import { dayStamp } from './time';

/** Offers `content` as a file download, made in the browser: nothing goes back to the gateway. */
export function downloadFile(name: string, content: string, type: string): void {
  saveBlob(new Blob([content], { type }), name);
}

/** `medshare-audit-<subject>-<yyyymmdd>.<extension>`, the subject reduced to safe file-name characters. */
export function exportFileName(subject: string, extension: string, now: Date = new Date()): string {
  const safe = subject.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64) || 'trail';
  return `medshare-audit-${safe}-${dayStamp(now)}.${extension}`;
}
