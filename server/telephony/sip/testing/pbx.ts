/** Test-only: the real call control (`Pbx`) and flow interpreter on a SIP edge, collecting events and flow runs. */
import { systemClock } from "@/flows/runtime/clock";
import type { FlowRunResult } from "@/flows/runtime/context";
import { runFlow } from "@/flows/runtime/interpreter";
import type { Logger } from "@/flows/runtime/ports";
import { InMemoryIntegration } from "@/flows/runtime/testing/inMemoryIntegration";
import { InMemoryFlowLoader, type sketchFlow } from "@/flows/runtime/testing/testRuntime";
import type { InMemoryDirectory } from "@/server/pbx/directory";
import type { PbxEvent } from "@/server/pbx/events";
import { Pbx } from "@/server/pbx/pbx";
import type { TelephonyEngine } from "../../engine";

export function pbxOnEngine(options: {
  engine: TelephonyEngine;
  directory: InMemoryDirectory;
  logger: Logger;
  /** The flow every DID with a flow runs. */
  document?: ReturnType<typeof sketchFlow>;
  events: PbxEvent[];
  runs: FlowRunResult[];
}): Pbx {
  const { engine, directory, logger, document, events, runs } = options;
  return new Pbx({
    clock: systemClock,
    engine,
    directory,
    sink: (event) => events.push(event),
    logger,
    startFlow: async (channel, call, variables) => {
      if (!document) throw new Error("this test has no flow");
      const context = { clock: systemClock, integration: new InMemoryIntegration({ clock: systemClock }), flows: new InMemoryFlowLoader(), logger };
      runs.push(await runFlow(context, channel, document, call, { variables }));
    },
  });
}
