import type { Scene } from '../scene.js';
import { firstOwnerScene } from './first-owner.js';
import { helpScene } from './help.js';
import { invitationsScene } from './invitations.js';
import { promoteScene } from './promote.js';
import { removalScene } from './removal.js';
import { apiScene } from './api.js';
import { settingsScene } from './settings.js';
import { setupScene } from './setup.js';
import { teamPageScene } from './team-page.js';

/** The demo's script, in order. */
export const scenes: readonly Scene[] = [setupScene, helpScene, firstOwnerScene, teamPageScene, promoteScene, settingsScene, invitationsScene, removalScene, apiScene];
