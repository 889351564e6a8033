/**
 * The project files' comments point people at other files ("documented in README.md#deploy",
 * "see ../Pulumi.yaml"). A pointer to a file that was renamed or never written sends a new
 * user nowhere, so every relative path named in a comment must exist, and a `#anchor` after a
 * Markdown file must name one of its headings.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The YAML files the Pulumi CLI reads: the project, every stack, the policy pack. */
function projectFiles(): string[] {
  const stacks = readdirSync(root).filter((name) => /^Pulumi\.[^.]+\.yaml$/.test(name));
  return ["Pulumi.yaml", ...stacks, join("policy", "PulumiPolicy.yaml")];
}

/** The comment of a YAML line: from a `#` at the start or after a space, outside quotes (good enough for these files). */
function commentOf(line: string): string | undefined {
  const match = /(?:^|\s)#(.*)$/.exec(line);
  return match?.[1];
}

/**
 * Relative file paths in a text: words with a file extension, optionally `./` or `../` first,
 * optionally a `#anchor`. URLs and ARNs are left out.
 */
function pathsIn(text: string): Array<{ path: string; anchor?: string }> {
  const found: Array<{ path: string; anchor?: string }> = [];
  for (const match of text.matchAll(/(?<![\w:/.-])((?:\.{1,2}\/)*[\w-]+(?:[\/.][\w-]+)*\.(?:ts|md|ya?ml|json|mjs|cjs|js|sh))(?:#([\w-]+))?(?![\w/])/g)) {
    found.push(match[2] === undefined ? { path: match[1]! } : { path: match[1]!, anchor: match[2] });
  }
  return found;
}

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to `-`. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    anchors.add(match[1]!.toLowerCase().replace(/[^\w\s-]/g, "").trim().replace(/\s/g, "-"));
  }
  return anchors;
}

describe("paths in the Pulumi project files' comments", () => {
  it("finds file paths and anchors, not ARNs, URLs or key prefixes", () => {
    assert.deepEqual(pathsIn("see ../Pulumi.yaml and README.md#deploy; infra/index.ts."), [
      { path: "../Pulumi.yaml" },
      { path: "README.md", anchor: "deploy" },
      { path: "infra/index.ts" },
    ]);
    assert.deepEqual(pathsIn("arn:aws:secretsmanager:us-east-1:1:secret:cti-etl/x-AbC123 https://example.com/a.md runs/"), []);
  });

  for (const file of projectFiles()) {
    it(`names only files that exist (${file})`, () => {
      const lines = readFileSync(join(root, file), "utf8").split("\n");
      const comments = lines.map(commentOf).filter((c): c is string => c !== undefined);
      const missing: string[] = [];
      for (const { path, anchor } of comments.flatMap(pathsIn)) {
        // Paths are relative to the file that names them (policy/ refers to ../Pulumi.yaml), else to the root.
        const candidates = [join(root, dirname(file), path), join(root, path)];
        const target = candidates.find((candidate) => existsSync(candidate));
        if (!target) missing.push(path);
        else if (anchor !== undefined && !anchorsOf(readFileSync(target, "utf8")).has(anchor)) missing.push(`${relative(root, target)}#${anchor}`);
      }
      assert.deepEqual(missing, [], `${file} names files or headings that do not exist`);
    });
  }
});
