// The entry `pulumi preview --policy-pack policy` loads. The Node language host starts a policy pack
// as `node @pulumi/pulumi/cmd/run-policy-pack <runtime nodeargs> <engine> <pack dir>`: the nodeargs
// come after the script, so they reach it as arguments and never Node (RunPlugin in pulumi/pulumi's
// sdk/nodejs/cmd/pulumi-language-nodejs/main.go), and run-policy-pack loads the pack with `require()`
// under its own ts-node (sdk/nodejs/cmd/run-policy-pack/run.ts; pulumi/pulumi issue 4830), which
// refuses ESM TypeScript with `.ts` imports (TS5097). So the entry is CommonJS JavaScript, and the
// rules, which are TypeScript ESM shared with the program (infra/) and the tests, are loaded by tsx,
// as the program and the tests load them. test/policy/index.it.test.ts runs this exactly that way.
"use strict";
require("tsx/cjs/api").require("./pack.ts", __filename);
