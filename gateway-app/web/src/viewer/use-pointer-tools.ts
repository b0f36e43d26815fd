import { useRef, useState, type PointerEvent } from 'react';
import {
  measureLength,
  readPixel,
  type DecodedFrame,
  type DicomImage,
  type ImagePoint,
  type Length,
  type PixelReading,
  type WindowLevel,
} from '../../../src/viewer';

/** What dragging on the image does. */
export type PointerTool = 'window' | 'pan' | 'zoom' | 'measure';

/** How the image sits in the stage: its zoom, and its shift in CSS pixels. */
export interface ViewTransform {
  zoom: number;
  x: number;
  y: number;
}

/** A length drawn on the image, from `a` to `b`. */
export interface Measurement {
  a: ImagePoint;
  b: ImagePoint;
  length: Length;
}

const IDENTITY: ViewTransform = { zoom: 1, x: 0, y: 0 };
const MIN_ZOOM = 0.25;
const MAX_ZOOM = 16;

type Drag =
  | { tool: 'window'; x: number; y: number; window: WindowLevel; scale: number }
  | { tool: 'pan'; x: number; y: number; view: ViewTransform }
  | { tool: 'zoom'; y: number; view: ViewTransform }
  | { tool: 'measure'; a: ImagePoint };

/** Where a pointer is on the image, in its pixels, through whatever zoom and shift the canvas has. */
function pointOn(event: PointerEvent<HTMLCanvasElement>, frame: DecodedFrame): ImagePoint {
  const box = event.currentTarget.getBoundingClientRect();
  return {
    x: ((event.clientX - box.left) / Math.max(1, box.width)) * frame.width,
    y: ((event.clientY - box.top) / Math.max(1, box.height)) * frame.height,
  };
}

/**
 * The viewer's pointer tools on a frame: windowing (right widens, down raises the centre, as in most
 * PACS viewers), panning, zooming (drag up to zoom in) and measuring a length, plus the readout of the
 * pixel under the pointer.
 */
export function usePointerTools({
  frame,
  image,
  window,
  onWindow,
}: {
  frame: DecodedFrame | undefined;
  image: DicomImage | undefined;
  window: WindowLevel | undefined;
  onWindow: (window: WindowLevel) => void;
}) {
  const drag = useRef<Drag | null>(null);
  const [tool, setTool] = useState<PointerTool>('window');
  const [view, setView] = useState<ViewTransform>(IDENTITY);
  const [readout, setReadout] = useState<{ point: ImagePoint; reading: PixelReading }>();
  const [measurement, setMeasurement] = useState<Measurement>();

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    if (!frame || !image || event.button !== 0) return;
    if (tool === 'window' && (!window || frame.kind !== 'gray')) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const { clientX: x, clientY: y } = event;
    if (tool === 'window' && window && frame.kind === 'gray') {
      const scale = Math.max(1, frame.max - frame.min) / Math.max(1, event.currentTarget.clientWidth);
      drag.current = { tool, x, y, window, scale };
    } else if (tool === 'pan') drag.current = { tool, x, y, view };
    else if (tool === 'zoom') drag.current = { tool, y, view };
    else if (tool === 'measure') {
      const a = pointOn(event, frame);
      drag.current = { tool, a };
      setMeasurement({ a, b: a, length: measureLength(a, a, image.pixelSpacing) });
    }
  };
  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    if (!frame || !image) return;
    const point = pointOn(event, frame);
    const reading = readPixel(frame, image, point);
    setReadout(reading ? { point, reading } : undefined);
    const start = drag.current;
    if (!start) return;
    if (start.tool === 'window') {
      onWindow({
        center: Math.round(start.window.center + (event.clientY - start.y) * start.scale),
        width: Math.max(1, Math.round(start.window.width + (event.clientX - start.x) * start.scale)),
      });
    } else if (start.tool === 'pan') {
      setView({
        ...start.view,
        x: start.view.x + event.clientX - start.x,
        y: start.view.y + event.clientY - start.y,
      });
    } else if (start.tool === 'zoom') {
      const zoom = start.view.zoom * Math.exp((start.y - event.clientY) / 150);
      setView({ ...start.view, zoom: Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom)) });
    } else {
      setMeasurement({ a: start.a, b: point, length: measureLength(start.a, point, image.pixelSpacing) });
    }
  };
  const onPointerEnd = () => {
    drag.current = null;
  };
  return {
    tool,
    setTool,
    view,
    resetView: () => {
      setView(IDENTITY);
      setMeasurement(undefined);
    },
    readout,
    measurement,
    handlers: {
      onPointerDown,
      onPointerMove,
      onPointerUp: onPointerEnd,
      onPointerCancel: onPointerEnd,
      onPointerLeave: () => {
        setReadout(undefined);
      },
    },
  };
}
