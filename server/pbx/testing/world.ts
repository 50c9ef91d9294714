import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CallChannel, CallInfo } from "@/flows/runtime/ports";
import { flushPromises, ManualClock } from "@/flows/runtime/testing/manualClock";
import { MemoryLogger } from "@/flows/runtime/testing/memoryLogger";
import type { EndpointBehavior } from "@/server/telephony/engine";
import { SimulatedEngine } from "@/server/telephony/simulated/simulatedEngine";
import type { Cdr } from "../cdr";
import { InMemoryDirectory } from "../directory";
import type { PbxEvent } from "../events";
import { Pbx, type StartFlow } from "../pbx";

export interface WorldOptions {
  /** The flow every DID runs; a test writes it against the channel. */
  flow?: (channel: CallChannel, call: CallInfo, variables: Record<string, unknown>) => Promise<void>;
  phoneBehavior?: EndpointBehavior;
  externalBehavior?: EndpointBehavior;
  /** Where the manual clock starts; Monday 2026-01-05 10:00 Budapest time by default. */
  clockStart?: string;
}

/**
 * A small simulated organisation for tests: a manual clock, the simulated
 * engine writing recordings to a temporary folder, extensions 101–105
 * (phones answer manually by default), DID +3612345678 → flow "main",
 * and every PBX event recorded.
 */
export function createWorld(options: WorldOptions = {}) {
  const clock = new ManualClock(options.clockStart);
  const recordingsDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-recordings-"));
  const directory = new InMemoryDirectory();
  for (const number of ["101", "102", "103", "104", "105"]) {
    directory.addExtension({ number, userId: `user-${number}`, userName: `User ${number}` });
  }
  directory.addNumber("+3612345678", "main").addContact("+36301234567", "Anna Customer");
  const engine = new SimulatedEngine({
    clock,
    recordingsDir,
    defaultPhoneBehavior: options.phoneBehavior ?? { behavior: "no_answer" },
    defaultExternalBehavior: options.externalBehavior,
    isExtension: (number) => directory.extension(number) !== null,
  });
  const events: PbxEvent[] = [];
  const logger = new MemoryLogger();
  const startFlow: StartFlow = (channel, call, variables) => (options.flow ? options.flow(channel, call, variables) : Promise.resolve());
  const pbx = new Pbx({ clock, engine, simulator: engine, directory, sink: (event) => events.push(event), startFlow, logger });

  const world = {
    clock,
    engine,
    directory,
    pbx,
    events,
    logger,
    recordingsDir,
    /** Moves simulated time, letting promise callbacks run around each timer. */
    advance: (ms: number) => clock.advanceAsync(ms),
    flush: flushPromises,
    finalCdrs: (): Cdr[] => events.flatMap((event) => (event.type === "conversation.ended" ? [event.cdr] : [])),
    partialCdrs: (): Cdr[] => events.flatMap((event) => (event.type === "leg.closed" ? [event.cdr] : [])),
    eventsOf: <T extends PbxEvent["type"]>(type: T) => events.filter((event): event is Extract<PbxEvent, { type: T }> => event.type === type),
    /** The final CDR of the only call that ended; fails otherwise. */
    onlyFinalCdr(): Cdr {
      const finals = world.finalCdrs();
      if (finals.length !== 1) throw new Error(`expected one final CDR, got ${finals.length}`);
      return finals[0];
    },
    cleanup: () => fs.rmSync(recordingsDir, { recursive: true, force: true }),
  };
  return world;
}

export type World = ReturnType<typeof createWorld>;

/** The customer number used by tests, known to the phonebook. */
export const CUSTOMER = "+36301234567";
export const DID = "+3612345678";
