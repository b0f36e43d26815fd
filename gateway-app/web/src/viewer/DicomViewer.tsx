import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  ViewerError,
  defaultWindow,
  describeTransferSyntax,
  formatReading,
  renderVoiLut,
  renderWindowLevel,
  type DecodedFrame,
  type WindowLevel,
} from '../../../src/viewer';
import { DicomTagsPanel } from './DicomTagsPanel';
import { MeasureOverlay } from './MeasureOverlay';
import { SaveImageButton } from './SaveImageButton';
import { usePointerTools } from './use-pointer-tools';
import { ViewerToolbar } from './ViewerToolbar';
import { presetsFor } from './presets';
import { decodeSlice, type Slice } from './slices';
import { WindowControls } from './WindowControls';
import './viewer.css';

/** How the study is arriving, for the progress line and the test hooks. */
export interface StudyArrival {
  /** DICOM instances the record holds, from the bundle's manifest (1 for a single file). */
  expected: number;
  /** DICOM instances received and parsed so far. */
  received: number;
  /** Whether the whole record has been read. */
  complete: boolean;
  /** Plaintext bytes read when the first DICOM instance was complete. */
  firstImageBytes?: number;
  /** Plaintext bytes of the whole record, once read. */
  totalBytes?: number;
}

type Decoded = { slice: Slice; frame: DecodedFrame } | { slice: Slice; error: unknown };

const STEP: Readonly<Record<string, number>> = {
  ArrowDown: 1,
  ArrowRight: 1,
  ArrowUp: -1,
  ArrowLeft: -1,
  PageDown: 10,
  PageUp: -10,
};

/** Slider ranges that hold the frame's values and the current window. */
function windowBounds(frame: DecodedFrame | undefined, wl: WindowLevel | undefined) {
  if (frame?.kind !== 'gray' || !wl) return { centerMin: 0, centerMax: 255, widthMax: 256 };
  const lo = Math.floor(Math.min(frame.min, wl.center));
  const hi = Math.ceil(Math.max(frame.max, wl.center));
  return { centerMin: lo, centerMax: hi, widthMax: Math.max(2 * (hi - lo + 1), Math.ceil(wl.width)) };
}

/**
 * A DICOM viewer: one canvas showing a slice through a window/level, scrolled with the slider, the mouse
 * wheel or the keyboard, windowed with the sliders, presets or a mouse drag; the key tags alongside. It
 * shows the first slice as soon as it arrives and takes the others as they come.
 */
export function DicomViewer({ slices, arrival }: { slices: readonly Slice[]; arrival: StudyArrival }) {
  const id = useId();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [wanted, setWanted] = useState(0);
  const [userWindow, setUserWindow] = useState<WindowLevel>();
  const [invert, setInvert] = useState(false);
  const [decoded, setDecoded] = useState<Decoded>();

  const count = slices.length;
  const index = Math.min(wanted, Math.max(0, count - 1));
  const slice = slices[index];
  const shown = decoded && decoded.slice === slice ? decoded : undefined;
  const frame = shown && 'frame' in shown ? shown.frame : undefined;
  const failure = shown && 'error' in shown ? shown.error : undefined;
  const wl = useMemo(
    () => (frame && slice ? (userWindow ?? defaultWindow(slice.image, frame)) : undefined),
    [frame, slice, userWindow],
  );
  const inverted = invert !== (slice?.image.photometricInterpretation === 'MONOCHROME1');
  const tools = usePointerTools({ frame, image: slice?.image, window: wl, onWindow: setUserWindow });

  useEffect(() => {
    if (!slice) return;
    let live = true;
    decodeSlice(slice).then(
      (f) => {
        if (live) setDecoded({ slice, frame: f });
      },
      (error: unknown) => {
        if (live) setDecoded({ slice, error });
      },
    );
    return () => {
      live = false;
    };
  }, [slice]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !frame || !wl) return;
    canvas.width = frame.width;
    canvas.height = frame.height;
    const context = canvas.getContext('2d');
    // The file's VOI LUT, when it has one and no window, until the user sets a window.
    const lut = slice?.image.windowPresets.length === 0 && !userWindow ? slice.image.voiLut : undefined;
    const pixels =
      lut && frame.kind === 'gray'
        ? renderVoiLut(frame, lut, inverted)
        : renderWindowLevel(frame, wl, inverted);
    context?.putImageData(new ImageData(pixels, frame.width, frame.height), 0, 0);
  }, [frame, wl, inverted, slice, userWindow]);

  // React's wheel listeners are passive; scrolling slices must stop the page from scrolling too.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onWheel = (event: WheelEvent) => {
      if (event.deltaY === 0) return;
      event.preventDefault();
      setWanted((i) => Math.max(0, Math.min(count - 1, Math.min(i, count - 1) + Math.sign(event.deltaY))));
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      canvas.removeEventListener('wheel', onWheel);
    };
  }, [count]);

  const go = (to: number) => {
    setWanted(Math.max(0, Math.min(count - 1, to)));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const step = STEP[event.key];
    if (event.key === 'Home') go(0);
    else if (event.key === 'End') go(count - 1);
    else if (step !== undefined) go(index + step);
    else return;
    event.preventDefault();
  };
  const modality = slice?.image.modality;
  const label = `${modality ?? 'DICOM'} image ${count ? index + 1 : 0} of ${count}`;
  return (
    <div className="dicom-viewer">
      <div className="viewer-stage">
        <ViewerToolbar tool={tools.tool} onTool={tools.setTool} onReset={tools.resetView} />
        <div className="viewer-viewport">
          <div
            className="viewer-image"
            style={{
              transform: `translate(${tools.view.x}px, ${tools.view.y}px) scale(${tools.view.zoom})`,
            }}
          >
            <canvas
              ref={canvasRef}
              role="img"
              aria-label={label}
              aria-describedby={`${id}-help`}
              tabIndex={0}
              data-testid="viewer"
              // As wide as the column allows, but never taller than most of the screen.
              style={
                slice
                  ? { maxWidth: `calc(75vh * ${slice.image.columns / Math.max(1, slice.image.rows)})` }
                  : undefined
              }
              data-slices-loaded={count}
              data-total-slices={arrival.expected}
              data-first-image-bytes={arrival.firstImageBytes}
              data-total-bytes={arrival.complete ? arrival.totalBytes : undefined}
              data-current-slice={count ? index + 1 : 0}
              data-shown-slice={frame ? index + 1 : undefined}
              data-window-center={wl?.center}
              data-window-width={wl?.width}
              data-zoom={tools.view.zoom}
              data-tool={tools.tool}
              onKeyDown={onKeyDown}
              {...tools.handlers}
            />
            {frame && (
              <MeasureOverlay measurement={tools.measurement} width={frame.width} height={frame.height} />
            )}
          </div>
        </div>
        <p className="viewer-readout" aria-live="polite">
          <span data-testid="pixel-readout">
            {tools.readout
              ? `x ${Math.floor(tools.readout.point.x)}, y ${Math.floor(tools.readout.point.y)}: ${formatReading(tools.readout.reading)}`
              : 'Point at the image for the value of a pixel.'}
          </span>
          {tools.measurement && (
            <span data-testid="measurement">
              {' '}
              · Length {tools.measurement.length.value.toFixed(1)} {tools.measurement.length.unit}
            </span>
          )}
        </p>
        {!frame && !failure && (
          <p className="viewer-wait">{count ? 'Decoding…' : 'Waiting for the first image…'}</p>
        )}
        {failure !== undefined && <ViewerFailure error={failure} />}
        <p id={`${id}-help`} className="hint">
          Scroll with the wheel, the arrow keys or Page Up/Down; drag to change the window, pan, zoom or
          measure, as the tool chosen above says.
        </p>
      </div>
      <div className="viewer-side">
        <p className="viewer-position">
          <strong>
            Image {count ? index + 1 : 0} of {count}
          </strong>
          <span role="status" className="hint">
            {arrival.complete
              ? ` · all ${arrival.received} received`
              : ` · ${arrival.received} of ${arrival.expected} received`}
          </span>
        </p>
        <label htmlFor={`${id}-slice`}>Slice</label>
        <input
          id={`${id}-slice`}
          type="range"
          min={1}
          max={Math.max(1, count)}
          step={1}
          value={count ? index + 1 : 1}
          disabled={count < 2}
          onChange={(e) => {
            go(Number(e.target.value) - 1);
          }}
        />
        <WindowControls
          window={wl}
          bounds={windowBounds(frame, wl)}
          presets={slice ? presetsFor(slice.image) : []}
          invert={invert}
          disabled={frame?.kind !== 'gray'}
          onWindow={setUserWindow}
          onDefault={() => {
            setUserWindow(undefined);
          }}
          onInvert={setInvert}
        />
        <SaveImageButton canvas={canvasRef} name={`image-${String(index + 1)}.png`} disabled={!frame} />
        {slice && <DicomTagsPanel image={slice.image} />}
      </div>
    </div>
  );
}

/** Why a slice cannot be shown, naming the transfer syntax when that is the reason. */
export function ViewerFailure({ error }: { error: unknown }) {
  const code = error instanceof ViewerError ? error.code : 'ERROR';
  const syntax = error instanceof ViewerError ? error.details.transferSyntaxUid : undefined;
  return (
    <div className="refusal" role="alert" data-code={code}>
      <strong>
        {code === 'UNSUPPORTED_TRANSFER_SYNTAX'
          ? 'Image encoding not supported'
          : 'This image cannot be shown'}
      </strong>{' '}
      <code>{code}</code>
      <p className="reason">
        {code === 'UNSUPPORTED_TRANSFER_SYNTAX' && typeof syntax === 'string'
          ? `The image is encoded as ${describeTransferSyntax(syntax)}, which this viewer cannot decode.`
          : error instanceof Error
            ? error.message
            : String(error)}
      </p>
      <p className="next">
        {code === 'UNSUPPORTED_TRANSFER_SYNTAX'
          ? 'Ask the sender for the study in a standard encoding (uncompressed, JPEG, JPEG-LS, JPEG 2000 or RLE), or open it in a PACS viewer.'
          : 'The other images of the record may still be shown; tell the sender if this one matters.'}
      </p>
    </div>
  );
}
