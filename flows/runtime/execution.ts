/** The ExecutionContext one call's executors share: channel, integration, clock and the call's template scope. */
import type { DeadlineResult, ExecutionContext, FlowDocument, Prompt } from "@/flows/model/types";
import type { RuntimeContext } from "@/flows/runtime/context";
import type { CallChannel, CallInfo, LookupResult, ResolvedPrompt } from "@/flows/runtime/ports";
import { CallScope } from "@/flows/runtime/scope";
import { evaluateCondition } from "@/flows/templates/expressions";
import { renderTemplate } from "@/flows/templates/render";

export const DEFAULT_LANGUAGE = "hu";

export class CallExecution implements ExecutionContext {
  flowId: string | null;
  private language = DEFAULT_LANGUAGE;
  private readonly scope: CallScope;

  constructor(
    readonly call: CallInfo,
    readonly channel: CallChannel,
    private readonly runtime: RuntimeContext,
    readonly integrationTimeoutMs: number,
    flowId: string | null,
  ) {
    this.flowId = flowId;
    this.scope = new CallScope(call, runtime.clock);
  }

  get integration() {
    return this.runtime.integration;
  }
  get clock() {
    return this.runtime.clock;
  }
  get logger() {
    return this.runtime.logger;
  }

  enterFlow(flowId: string | null, document: FlowDocument): void {
    this.flowId = flowId;
    this.language = document.language ?? DEFAULT_LANGUAGE;
    this.scope.enterFlow(flowId, document.name);
  }

  render(template: string): string {
    return renderTemplate(template, this.scope.root);
  }

  renderPrompt(prompt: Prompt, fallbackLanguage?: string): ResolvedPrompt {
    if (typeof prompt === "string") return { text: this.render(prompt), language: fallbackLanguage ?? this.language };
    const resolved: ResolvedPrompt = { text: this.render(prompt.text), language: prompt.language ?? fallbackLanguage ?? this.language };
    if (prompt.audio_id !== undefined) resolved.audioId = prompt.audio_id;
    return resolved;
  }

  evaluate(expression: string): boolean {
    return evaluateCondition(expression, this.scope.root);
  }

  setVariable(name: string, value: unknown): void {
    this.scope.setVariable(name, value);
  }

  /** Sets the valid names among `values` (e.g. POST /ivr-calls variables), logging the rest. */
  mergeVariables(values: Record<string, unknown> | undefined): void {
    const skipped = this.scope.mergeVariables(values);
    if (skipped.length > 0) this.logger.warn({ callId: this.call.id, skipped }, "ignored variables with invalid names");
  }

  variables(): Record<string, unknown> {
    return this.scope.variables();
  }

  setLookup(result: LookupResult): void {
    const skipped = this.scope.setLookup(result);
    if (skipped.length > 0) this.logger.warn({ callId: this.call.id, skipped }, "ignored look-up variables with invalid names");
  }

  withDeadline<T>(operation: Promise<T>, ms: number): Promise<DeadlineResult<T>> {
    const clock = this.runtime.clock;
    return new Promise((resolve, reject) => {
      const timer = clock.setTimeout(() => resolve({ status: "timeout" }), ms);
      operation.then(
        (value) => {
          clock.clearTimeout(timer);
          resolve({ status: "done", value });
        },
        (error: unknown) => {
          clock.clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}
