import type { PointerTool } from './use-pointer-tools';

const TOOLS: readonly { tool: PointerTool; label: string }[] = [
  { tool: 'window', label: 'Window' },
  { tool: 'pan', label: 'Pan' },
  { tool: 'zoom', label: 'Zoom' },
  { tool: 'measure', label: 'Measure' },
];

/** Chooses what dragging on the image does, and puts the view back. */
export function ViewerToolbar({
  tool,
  onTool,
  onReset,
}: {
  tool: PointerTool;
  onTool: (tool: PointerTool) => void;
  onReset: () => void;
}) {
  return (
    <div className="viewer-toolbar" role="toolbar" aria-label="Image tools">
      {TOOLS.map((t) => (
        <button
          key={t.tool}
          type="button"
          className="secondary"
          aria-pressed={tool === t.tool}
          onClick={() => {
            onTool(t.tool);
          }}
        >
          {t.label}
        </button>
      ))}
      <button type="button" className="secondary" onClick={onReset}>
        Reset view
      </button>
    </div>
  );
}
