import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import {
  type BuildFile,
  dockerfilePath,
  dockerPlatform,
  ecrLifecyclePolicy,
  imageBuildArgs,
  imageBuildInputs,
  imageTagFor,
} from "./image-build.ts";

/** Arguments of {@link Registry}. */
export interface RegistryArgs {
  /** Absolute path of the Docker build context: the repository root. */
  readonly buildContext: string;
  /** CPU architecture the image is built for; must match the task definition's. Example: `ARM64`. */
  readonly cpuArchitecture: "ARM64" | "X86_64";
  /**
   * Absolute path of a PEM file of certificate authorities the build's `npm ci` must trust (a
   * TLS-inspecting proxy's). Default: none. Example: `/etc/ssl/certs/corporate-ca.pem`.
   */
  readonly caBundleFile?: string;
}

/**
 * The task image: an ECR repository (immutable tags, scan on push, lifecycle policy) and the image
 * built from `task/Dockerfile`, referenced by digest.
 */
export class Registry extends pulumi.ComponentResource {
  /** Repository ARN (the execution role may pull from it). */
  readonly repositoryArn: pulumi.Output<string>;
  /** Image reference by digest, `<repository-url>@sha256:<digest>`. */
  readonly imageUri: pulumi.Output<string>;

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cti-etl:infra:Registry", name, {}, opts);
    const parent = { parent: this };

    const repository = createRepository(name, parent);
    expireOldImages(name, repository, parent);
    const image = buildImage(name, repository, args, parent);

    this.repositoryArn = repository.arn;
    this.imageUri = image.imageUri;
    this.registerOutputs({ repositoryArn: this.repositoryArn, imageUri: this.imageUri });
  }
}

function createRepository(name: string, opts: pulumi.CustomResourceOptions): aws.ecr.Repository {
  return new aws.ecr.Repository(
    `${name}-repository`,
    {
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfigurations: [{ encryptionType: "AES256" }],
      // Images are rebuilt from source on every deploy, so `pulumi destroy` may delete them.
      forceDelete: true,
    },
    opts,
  );
}

function expireOldImages(name: string, repository: aws.ecr.Repository, opts: pulumi.CustomResourceOptions) {
  return new aws.ecr.LifecyclePolicy(
    `${name}-lifecycle`,
    { repository: repository.name, policy: ecrLifecyclePolicy({ keepImages: 20, untaggedDays: 1 }) },
    opts,
  );
}

function buildImage(name: string, repository: aws.ecr.Repository, args: RegistryArgs, opts: pulumi.ComponentResourceOptions) {
  const platform = dockerPlatform(args.cpuArchitecture);
  return new awsx.ecr.Image(
    `${name}-image`,
    {
      repositoryUrl: repository.repositoryUrl,
      context: args.buildContext,
      dockerfile: join(args.buildContext, dockerfilePath),
      platform,
      // The CAs change how the build reaches npm, not what it builds: not part of the tag.
      args: imageBuildArgs(args.caBundleFile === undefined ? undefined : { path: args.caBundleFile, text: readFileSync(args.caBundleFile, "utf8") }),
      imageTag: imageTagFor(readBuildFiles(args.buildContext), platform),
    },
    opts,
  );
}

/** Reads every file of the build context that {@link imageBuildInputs} lets in. */
export function readBuildFiles(context: string): BuildFile[] {
  return imageBuildInputs.flatMap((input) => filesUnder(join(context, input))).map((file) => ({
    path: relative(context, file).split(sep).join("/"),
    content: readFileSync(file),
  }));
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.name !== "node_modules")
    .flatMap((entry) => filesUnder(join(path, entry.name)));
}
