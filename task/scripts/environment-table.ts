/**
 * Prints the README's configuration reference: a Markdown table of every environment variable
 * the job reads, from the schema's help (task/src/config/environment.ts), in --help's order.
 * Usage: node --import tsx task/scripts/environment-table.ts
 */
import { ENVIRONMENT_HELP, SECRET_ENV_KEYS } from "../src/config/environment.ts";

const rows = (Object.keys(ENVIRONMENT_HELP) as (keyof typeof ENVIRONMENT_HELP)[]).map((key) => {
  const { section, help } = ENVIRONMENT_HELP[key];
  const secret = (SECRET_ENV_KEYS as readonly string[]).includes(key);
  return `| \`${key}\` | ${section} | ${secret ? help.replace(/^secret: /, "**secret**: ") : help} |`;
});
process.stdout.write(["| Variable | Area | Meaning (default) |", "| --- | --- | --- |", ...rows].join("\n") + "\n");
