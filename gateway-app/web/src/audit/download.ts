import { dayStamp } from './time';

/** Offers `content` as a file download, made in the browser: nothing goes back to the gateway. */
export function downloadFile(name: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL; release it once the click has been handled.
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}

/** `medshare-audit-<subject>-<yyyymmdd>.<extension>`, the subject reduced to safe file-name characters. */
export function exportFileName(subject: string, extension: string, now: Date = new Date()): string {
  const safe = subject.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64) || 'trail';
  return `medshare-audit-${safe}-${dayStamp(now)}.${extension}`;
}
