/** Test-only: the real call control (`Pbx`) and flow interpreter on a SIP edge, collecting events and flow runs. */
import { systemClock } from "@/flows/runtime/clock";
import type { FlowRunResult } from "@/flows/runtime/context";
import { runFlow } from "@/flows/runtime/interpreter";
import type { Logger } from "@/flows/runtime/ports";
import { InMemoryIntegration } from "@/flows/runtime/testing/inMemoryIntegration";
import { InMemoryFlowLoader, sketchFlow } from "@/flows/runtime/testing/testRuntime";
import { InMemoryDirectory } from "@/server/pbx/directory";
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

/** A DID's flow that dials extension 101, then hangs up whatever the dial's outcome. */
export const DIAL_101_FLOW = sketchFlow(
  [
    { id: "start", type: "start" },
    { id: "dial", type: "dial_extension", config: { extension: "101", ring_timeout_s: 20 } },
    { id: "bye", type: "hangup" },
  ],
  ["start:next -> dial", "dial:answered -> bye", "dial:no_answer -> bye", "dial:busy -> bye", "dial:failed -> bye"],
);

/** Extensions 101 and 102 (users `user-101`, `user-102`) and `did` running the flow `main`: the transfer tests' directory. */
export function twoExtensionsBehind(did: string): InMemoryDirectory {
  const directory = new InMemoryDirectory();
  for (const number of ["101", "102"]) directory.addExtension({ number, userId: `user-${number}`, userName: `User ${number}` });
  directory.addNumber(did, "main");
  return directory;
}
