import { toString as qrToString } from 'qrcode';
import { useEffect, useState } from 'react';

/** A QR code of an enrolment link, made in the browser, to scan with the device that will enrol. */
export function LinkQr({ link }: { link: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void qrToString(link, { type: 'svg', margin: 1 }).then((made) => {
      if (live) setSvg(made);
    });
    return () => {
      live = false;
    };
  }, [link]);
  if (!svg) return null;
  return (
    <img
      className="qr"
      data-testid="enrol-link-qr"
      alt="QR code of the enrolment link"
      src={'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg)}
    />
  );
}
