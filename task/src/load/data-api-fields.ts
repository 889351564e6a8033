/**
 * Values of a GetStatementResult record, as plain JS values for `Warehouse.query`.
 * @see https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_Field.html
 */
import type { Field } from "@aws-sdk/client-redshift-data";

/** `isNull` → null; otherwise the one value member that is set (blobs as Uint8Array). */
export function fieldValue(field: Field): unknown {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return field.blobValue;
  return null;
}
