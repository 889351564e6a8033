/**
 * The cti-etl CrossGuard policy pack. Every rule lives in `rules.ts` as a pure function; this file
 * only wires them, all mandatory. Loaded by `index.cjs` (the pack's entry, see there why).
 *
 *     pulumi preview --policy-pack policy
 *
 * Not imported by tests in-process: constructing a `PolicyPack` starts a gRPC server that never
 * exits. test/policy/index.it.test.ts starts it as the Pulumi CLI does, in its own process.
 */
import { PolicyPack, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { resourceRules, stackRules } from "./rules.ts";

const resourcePolicies: ResourceValidationPolicy[] = resourceRules.map((rule) => ({
  name: rule.name,
  description: rule.description,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    for (const message of rule.check(args.type, args.props)) reportViolation(message);
  },
}));

const stackPolicies: StackValidationPolicy[] = stackRules.map((rule) => ({
  name: rule.name,
  description: rule.description,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map((resource) => ({
      type: resource.type,
      urn: resource.urn,
      props: resource.props,
      propertyDependencies: Object.fromEntries(
        Object.entries(resource.propertyDependencies).map(([prop, deps]) => [prop, deps.map((dep) => dep.urn)]),
      ),
    }));
    for (const violation of rule.check(resources)) reportViolation(violation.message, violation.urn);
  },
}));

new PolicyPack("cti-etl-security", { policies: [...resourcePolicies, ...stackPolicies] });
