import type { RefObject } from 'react';
import { saveBlob } from '../app/save-blob';

/** Saves what the viewer shows (the slice through the current window) as a PNG, made on this device. */
export function SaveImageButton({
  canvas,
  name,
  disabled,
}: {
  canvas: RefObject<HTMLCanvasElement | null>;
  name: string;
  disabled: boolean;
}) {
  return (
    <button
      type="button"
      className="secondary"
      disabled={disabled}
      onClick={() => {
        canvas.current?.toBlob((blob) => {
          if (blob) saveBlob(blob, name);
        }, 'image/png');
      }}
    >
      Save this image (PNG)
    </button>
  );
}
