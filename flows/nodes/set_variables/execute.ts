import type { NodeExecutor, VariableValue } from "@/flows/model/types";
import { typedTemplateOutput } from "@/flows/templates/typedValue";

/** Assigns in order, so a value may use a variable set just above it. */
export const executeSetVariables: NodeExecutor<"set_variables"> = async (ctx, node) => {
  const values: Record<string, VariableValue> = {};
  for (const { name, value } of node.config.assignments) {
    const typed = typeof value === "string" ? typedTemplateOutput(ctx.render(value)) : value;
    ctx.setVariable(name, typed);
    values[name] = typed;
  }
  return { kind: "port", port: "next", output: { values } };
};
