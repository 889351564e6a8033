import { taskIamActions } from "../../../task/src/iam-actions.ts";

/** Every IAM action the task's adapters call (`taskIamActions`), flattened, unique, sorted. */
export function adapterActions(): string[] {
  return [...new Set(Object.values(taskIamActions).flatMap((byResource) => Object.values(byResource).flat()))].sort();
}
