// Global setup of both projects: the tests that start the server as a process run what `npm start`
// runs, the compiled dist/server.js, so it is built first when the sources changed since the last
// build (otherwise this only compares the sources' hash, about 0.15 s); so is the components' bundle
// every server serves at /embed/v1/connect.js. The projects' global setups run one after the other,
// so two builds never write dist/ at once.
import { execFileSync } from 'node:child_process';

export default function buildServer(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/build-embed.mjs'], { stdio: 'inherit' });
}
