import type { Page } from 'playwright-core';

/** How long opening a study took in the browser, from the click on "Open record". */
export interface OpenTiming {
  readonly study: string;
  readonly slices: number;
  readonly bytes: number;
  /** The access recorded on the ledger and the envelope verified: the sender's signature is shown. */
  readonly verifiedMs: number;
  /** The first slice decoded and on the canvas. */
  readonly firstImageMs: number;
  /** Every byte of the study read, decrypted and checked. */
  readonly wholeStudyMs: number;
}

/**
 * Opens a record on the patient's page and times, in the page's own clock, the click on "Open record",
 * the sender's verified signature, the first slice drawn (`data-shown-slice`) and the whole study read
 * (`data-total-bytes`).
 */
export async function timeOpen(
  page: Page,
  recordId: string,
  study: { name: string; slices: number; bytes: number },
): Promise<OpenTiming> {
  await page.goto('/#/inbox');
  await page.goto(`/#/records/${recordId}`);
  const open = page.getByRole('button', { name: 'Open record' });
  await open.waitFor();
  await page.evaluate(() => {
    const marks: Partial<Record<string, number>> = {};
    (window as unknown as { benchMarks: Partial<Record<string, number>> }).benchMarks = marks;
    document.addEventListener(
      'click',
      (event) => {
        if ((event.target as HTMLElement).closest('button')?.textContent.includes('Open record')) {
          marks.click ??= performance.now();
        }
      },
      true,
    );
    const observe = () => {
      const now = performance.now();
      if (document.querySelector('[data-testid="signature-verified"]')) marks.verified ??= now;
      const viewer = document.querySelector('[data-testid="viewer"]');
      if (viewer?.getAttribute('data-shown-slice') === '1') marks.first ??= now;
      if (viewer?.hasAttribute('data-total-bytes')) marks.whole ??= now;
    };
    new MutationObserver(observe).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
    });
  });
  await open.click();
  await page.waitForFunction(() => {
    const marks = (window as unknown as { benchMarks: Partial<Record<string, number>> }).benchMarks;
    return marks.first !== undefined && marks.whole !== undefined;
  });
  const marks = await page.evaluate(
    () => (window as unknown as { benchMarks: Partial<Record<string, number>> }).benchMarks,
  );
  const at = (mark: string) => Math.round(Number(marks[mark]) - Number(marks.click));
  return {
    study: study.name,
    slices: study.slices,
    bytes: study.bytes,
    verifiedMs: at('verified'),
    firstImageMs: at('first'),
    wholeStudyMs: at('whole'),
  };
}

/** The timings as a markdown table, with the first-image goal of 1 s. */
export function markdownOf(timings: readonly OpenTiming[], when: string): string {
  const mb = (bytes: number) => (bytes / 1e6).toFixed(0);
  const lines = [
    `# Time to first image`,
    '',
    `Measured ${when} by \`npm run bench:viewer\`: a synthetic CT study (16-bit, explicit VR little endian)`,
    "sent by a technologist to a patient, then opened on the patient's page in Chromium on loopback: the",
    'access is recorded on the ledger, the envelope verified, and the ciphertext fetched from the cluster,',
    'decrypted and read in the browser while the viewer shows what has arrived. Times from the click on',
    '"Open record", in the page\'s own clock. Goal: the first image in under 1 s.',
    '',
    '| study | slices | MB | sender verified | first image | whole study | first image under 1 s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...timings.map(
      (t) =>
        `| ${t.study} | ${t.slices} | ${mb(t.bytes)} | ${t.verifiedMs} ms | ${t.firstImageMs} ms | ${t.wholeStudyMs} ms | ${t.firstImageMs < 1000 ? 'yes' : `no (${(t.firstImageMs / 1000).toFixed(2)} s)`} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
