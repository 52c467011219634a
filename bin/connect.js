#!/usr/bin/env node
// `npx connect`: the compiled command line (npm install builds dist/ in its postinstall).
import('../dist/cli/main.js');
