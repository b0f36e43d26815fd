import type { JpegDecoder } from '../../../src/viewer';

/**
 * The browser's own JPEG decoder, for JPEG baseline DICOM frames: `createImageBitmap` without colour
 * management (the values are measurements, not a photo to colour-correct), drawn on a canvas and read back.
 */
export const browserJpegDecoder: JpegDecoder = async (jpeg) => {
  const bitmap = await createImageBitmap(new Blob([jpeg], { type: 'image/jpeg' }), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
  try {
    const { width, height } = bitmap;
    const context = drawingContext(width, height);
    context.drawImage(bitmap, 0, 0);
    return { width, height, rgba: context.getImageData(0, 0, width, height).data };
  } finally {
    bitmap.close();
  }
};

function drawingContext(
  width: number,
  height: number,
): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  const canvas =
    typeof OffscreenCanvas === 'function'
      ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('this browser cannot draw on a canvas');
  return context;
}
