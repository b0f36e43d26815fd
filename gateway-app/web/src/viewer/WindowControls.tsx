import { useId } from 'react';
import type { WindowLevel } from '../../../src/viewer';
import type { WindowPreset } from './presets';

/** The window/level sliders, presets and invert switch of the viewer. */
export function WindowControls({
  window,
  bounds,
  presets,
  invert,
  disabled,
  onWindow,
  onDefault,
  onInvert,
}: {
  window: WindowLevel | undefined;
  /** The slider ranges, from the frame's values. */
  bounds: { centerMin: number; centerMax: number; widthMax: number };
  presets: readonly WindowPreset[];
  invert: boolean;
  /** Colour images and images not yet decoded have no window to set. */
  disabled: boolean;
  onWindow: (window: WindowLevel) => void;
  onDefault: () => void;
  onInvert: (invert: boolean) => void;
}) {
  const id = useId();
  const center = window ? Math.round(window.center) : 0;
  const width = window ? Math.round(window.width) : 1;
  return (
    <fieldset className="window-controls" disabled={disabled}>
      <legend>Window / level</legend>
      <div className="slider">
        <label htmlFor={`${id}-c`}>Window centre</label>
        <input
          id={`${id}-c`}
          type="range"
          min={bounds.centerMin}
          max={bounds.centerMax}
          step={1}
          value={center}
          onChange={(e) => {
            onWindow({ center: Number(e.target.value), width: window?.width ?? width });
          }}
        />
        <output htmlFor={`${id}-c`} className="mono">
          {window ? center : '—'}
        </output>
      </div>
      <div className="slider">
        <label htmlFor={`${id}-w`}>Window width</label>
        <input
          id={`${id}-w`}
          type="range"
          min={1}
          max={bounds.widthMax}
          step={1}
          value={width}
          onChange={(e) => {
            onWindow({ center: window?.center ?? center, width: Math.max(1, Number(e.target.value)) });
          }}
        />
        <output htmlFor={`${id}-w`} className="mono">
          {window ? width : '—'}
        </output>
      </div>
      <div className="presets" role="group" aria-label="Window presets">
        <button type="button" className="secondary" onClick={onDefault}>
          Default
        </button>
        {presets.map((preset, i) => (
          <button
            key={`${i}:${preset.name}`}
            type="button"
            className="secondary"
            aria-pressed={window?.center === preset.window.center && window.width === preset.window.width}
            onClick={() => {
              onWindow(preset.window);
            }}
          >
            {preset.name}
          </button>
        ))}
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={invert}
          onChange={(e) => {
            onInvert(e.target.checked);
          }}
        />
        Invert
      </label>
    </fieldset>
  );
}
