import type { WindowLevel } from '../../../src/viewer';

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

/** The presets offered for a modality besides "Default" (the image's own window). */
export const presetsFor = (modality: string | undefined): readonly WindowPreset[] =>
  modality === 'CT' ? CT_PRESETS : [];
