/**
 * Types of asl-validator 4.0, which ships none: the default export validates an Amazon States
 * Language definition (JSON schemas and path checks).
 * @see https://github.com/ChristopheBougere/asl-validator#in-your-code
 */
declare module "asl-validator" {
  export interface ValidationResult {
    isValid: boolean;
    errors: unknown[];
    errorsText(separator?: string): string;
  }
  export default function aslValidator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): ValidationResult;
}
