import type { Measurement } from './use-pointer-tools';

/** The measured length drawn over the image, in its pixel coordinates, with its value by the line. */
export function MeasureOverlay({
  measurement,
  width,
  height,
}: {
  measurement: Measurement | undefined;
  width: number;
  height: number;
}) {
  if (!measurement) return null;
  const { a, b, length } = measurement;
  const label = `${length.value.toFixed(1)} ${length.unit}`;
  return (
    <svg
      className="measure-overlay"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      aria-hidden="true"
    >
      <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} vectorEffect="non-scaling-stroke" />
      <text x={b.x} y={b.y} fontSize={Math.max(6, width / 30)} dx={2} dy={-2}>
        {label}
      </text>
    </svg>
  );
}
