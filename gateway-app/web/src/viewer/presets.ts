import type { ImageAttributes, WindowLevel } from '../../../src/viewer';

/** A named window. */
export interface WindowPreset {
  name: string;
  window: WindowLevel;
}

/** The usual CT windows, in Hounsfield units. */
const CT_PRESETS: readonly WindowPreset[] = [
  { name: 'Lung', window: { center: -600, width: 1500 } },
  { name: 'Bone', window: { center: 400, width: 1800 } },
  { name: 'Soft tissue', window: { center: 40, width: 400 } },
  { name: 'Brain', window: { center: 40, width: 80 } },
];

/**
 * The presets offered besides "Default": every window the file proposes (named by its explanation), then
 * the usual ones of the modality.
 */
export function presetsFor(
  image: Pick<ImageAttributes, 'windowPresets'> & { modality: string | undefined },
): readonly WindowPreset[] {
  const own = image.windowPresets.map((p, i) => ({
    name: p.explanation ?? `Window ${i + 1} of the file`,
    window: { center: p.center, width: p.width },
  }));
  return [...own, ...(image.modality === 'CT' ? CT_PRESETS : [])];
}
