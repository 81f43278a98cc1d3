import type { Scene } from '../scene.js';
import { helpScene } from './help.js';
import { setupScene } from './setup.js';

/** The demo's script, in order. */
export const scenes: readonly Scene[] = [setupScene, helpScene];
