import { installTellers } from '../../src/events/tellers.js';

// The domain suite tells nobody: no Slack, no email. What a change says is in its audit events.
installTellers([]);
