/**
 * The command's entry, built as dist/task/main.mjs (task/build.sh): what `cti-etl` and the image
 * run. `--version` is answered from here, with nothing else loaded, as fast as Node starts; every
 * other command imports the composition root (main.ts), which imports each adapter only when a
 * run needs it.
 */
import { isVersionRequest, VERSION_LINE } from "./cli/version.ts";

if (isVersionRequest(process.argv.slice(2))) process.stdout.write(VERSION_LINE);
else await import("./main.ts");
