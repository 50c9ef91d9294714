/**
 * The variables of one call, kept in the very object templates render
 * against: reserved roots (`call`, `lookup`, `flow`, `now`) beside user
 * variables, so rendering needs no per-render copying.
 */
import { isVariableName } from "@/flows/model/variables";
import type { CallInfo, Clock, LookupResult } from "@/flows/runtime/ports";
import { templateCall, templateLookup } from "@/flows/templates/scopeShape";

export class CallScope {
  /** The object templates see. Null prototype: nothing inherited is reachable from a template. */
  readonly root: Record<string, unknown> = Object.create(null);
  private readonly userNames = new Set<string>();

  constructor(call: CallInfo, clock: Clock) {
    this.root.call = templateCall(call);
    this.root.lookup = templateLookup();
    this.root.flow = { id: call.flowId, name: "" };
    Object.defineProperty(this.root, "now", { enumerable: true, get: () => new Date(clock.now()).toISOString() });
  }

  enterFlow(id: string | null, name: string): void {
    this.root.flow = { id, name };
  }

  /** Throws on a name that is not a valid user variable (reserved roots included). */
  setVariable(name: string, value: unknown): void {
    if (!isVariableName(name)) throw new Error(`"${name}" cannot be used as a variable name`);
    this.root[name] = value;
    this.userNames.add(name);
  }

  /** Sets the valid names of `values` and returns the names it skipped. */
  mergeVariables(values: Record<string, unknown> | undefined): string[] {
    const skipped: string[] = [];
    for (const [name, value] of Object.entries(values ?? {})) {
      if (isVariableName(name) && value !== undefined && typeof value !== "function") this.setVariable(name, value);
      else skipped.push(name);
    }
    return skipped;
  }

  setLookup(result: LookupResult): string[] {
    this.root.lookup = templateLookup(result);
    return result.status === "error" ? [] : this.mergeVariables(result.variables);
  }

  variables(): Record<string, unknown> {
    const copy: Record<string, unknown> = {};
    for (const name of this.userNames) copy[name] = this.root[name];
    return copy;
  }
}
