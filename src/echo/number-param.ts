// A path parameter that is a number within bounds. Checked as text first, as users' query
// values are: Elysia's numeric coercion takes "0x10", "1e1" and " " (as 16, 10 and 0), and its
// range errors after coercion name no field. The bounds stay in one TypeBox schema, and a value
// outside them gets the same 422 as any wrong field: `{ error, fields: [{ field, problem }] }`.
import type { TInteger, TNumber } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { t, ValidationError } from "elysia";

const WHOLE = "^[0-9]+$";
const DECIMAL = "^[0-9]+(\\.[0-9]+)?$";

export function numberParam<Name extends string>(name: Name, bounds: TNumber | TInteger) {
  const checked = t.Object({ [name]: bounds });
  const text = t.String({
    pattern: bounds.type === "integer" ? WHOLE : DECIMAL,
    description: bounds.description,
    error: bounds.error,
  });
  return {
    /** The route's `params` schema: the digits. */
    params: t.Object({ [name]: text } as Record<Name, typeof text>),
    /** The parameter's number, or a ValidationError (422) naming it when out of bounds. */
    value(params: Record<Name, string>): number {
      const parsed = { [name]: Number(params[name]) };
      if (!Value.Check(checked, parsed)) throw new ValidationError("params", checked, parsed);
      return parsed[name] as number;
    },
  };
}
