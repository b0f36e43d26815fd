import { useEffect, useRef } from 'react';
import { defaultWindow, renderWindowLevel } from '../../../src/viewer';
import { decodeSlice, type Series, type Slice } from './slices';

/** A series' first slice, small, through its default window. */
function Thumbnail({ slice }: { slice: Slice | undefined }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!slice) return;
    let live = true;
    decodeSlice(slice).then(
      (frame) => {
        const canvas = canvasRef.current;
        if (!live || !canvas) return;
        canvas.width = frame.width;
        canvas.height = frame.height;
        const pixels = renderWindowLevel(
          frame,
          defaultWindow(slice.image, frame),
          slice.image.photometricInterpretation === 'MONOCHROME1',
        );
        canvas.getContext('2d')?.putImageData(new ImageData(pixels, frame.width, frame.height), 0, 0);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [slice]);
  return <canvas ref={canvasRef} className="series-thumbnail" aria-hidden="true" />;
}

/** The series of a study as buttons with a thumbnail each; the chosen one is shown in the viewer. */
export function SeriesList({
  series,
  selected,
  onSelect,
}: {
  series: readonly Series[];
  selected: string | undefined;
  onSelect: (key: string) => void;
}) {
  return (
    <nav aria-label="Series" className="series-list">
      <ul>
        {series.map((s, i) => (
          <li key={s.key}>
            <button
              type="button"
              className="secondary"
              aria-pressed={s.key === selected}
              data-testid="series"
              onClick={() => {
                onSelect(s.key);
              }}
            >
              <Thumbnail slice={s.slices[0]} />
              <span>
                <strong>
                  {s.modality ?? 'DICOM'} · {s.description ?? `Series ${i + 1}`}
                </strong>
                <br />
                {s.slices.length} {s.slices.length === 1 ? 'image' : 'images'}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
