// Runs before anything that loads .ts files (npm start/test/build/…), in plain JavaScript so it
// works on any Node: NatScope's scripts are TypeScript run by Node's built-in type stripping,
// which is on by default from Node 22.18 (and 23.6). An older Node would die with
// ERR_UNKNOWN_FILE_EXTENSION ".ts"; this says what is needed in one line instead.
import { fileURLToPath } from 'node:url';

/** The oldest Node that runs NatScope; package.json's `engines` says the same (a test checks). */
export const MIN_NODE = [22, 18, 0];
export const RECOMMENDED_NODE = 24;

/** null when `version` ("22.18.0", "v20.20.2") is new enough, else the one-line message. */
export function nodeVersionProblem(version, execPath = 'node') {
  const parts = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((parts[i] ?? 0) > MIN_NODE[i]) return null;
    if ((parts[i] ?? 0) < MIN_NODE[i])
      return `NatScope needs Node.js ${MIN_NODE.slice(0, 2).join('.')} or newer (${RECOMMENDED_NODE} LTS recommended); ${execPath} is v${parts.join('.')}. Install Node ${RECOMMENDED_NODE} from https://nodejs.org or with your version manager (e.g. "nvm install ${RECOMMENDED_NODE}").`;
  }
  return null;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problem = nodeVersionProblem(process.versions.node, process.execPath);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
