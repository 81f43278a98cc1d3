import { installTellings } from '../../src/tellings.js';

// The app's test suites run the domain with its tellers (Slack, email) installed, as every process does.
installTellings();
