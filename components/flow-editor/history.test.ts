import { describe, expect, it } from "vitest";
import { HISTORY_LIMIT, checkpoint, createHistory, dropEmptyCheckpoint, record, redo, replacePresent, undo } from "./history";

describe("undo history", () => {
  it("undoes and redoes steps in order, and a new step clears redo", () => {
    let history = record(record(createHistory("a"), "b"), "c");
    history = undo(history);
    expect(history.present).toBe("b");
    history = undo(history);
    expect(history.present).toBe("a");
    expect(undo(history)).toBe(history);
    history = redo(history);
    expect(history.present).toBe("b");
    history = record(history, "x");
    expect(history.future).toEqual([]);
    expect(redo(history)).toBe(history);
    expect(undo(history).present).toBe("b");
  });

  it("merges typing in one field into one step, but not after a pause or in another field", () => {
    let history = createHistory("");
    history = record(history, "H", { mergeKey: "name", at: 0 });
    history = record(history, "He", { mergeKey: "name", at: 300 });
    history = record(history, "Hey", { mergeKey: "name", at: 600 });
    expect(history.past).toEqual([""]);
    history = record(history, "Hey!", { mergeKey: "name", at: 5000 });
    history = record(history, "Hey!?", { mergeKey: "label", at: 5100 });
    expect(history.past).toEqual(["", "Hey", "Hey!"]);
  });

  it("takes one step for a whole drag", () => {
    let history = checkpoint(createHistory({ x: 0 }));
    history = replacePresent(history, { x: 5 });
    history = replacePresent(history, { x: 9 });
    expect(undo(history).present).toEqual({ x: 0 });
  });

  it("forgets a drag that moved nothing", () => {
    const start = { x: 0 };
    const history = dropEmptyCheckpoint(checkpoint(createHistory(start)), (a, b) => a.x === b.x);
    expect(history.past).toEqual([]);
  });

  it("keeps at most the last HISTORY_LIMIT steps", () => {
    let history = createHistory(0);
    for (let step = 1; step <= HISTORY_LIMIT + 20; step++) history = record(history, step);
    expect(history.past).toHaveLength(HISTORY_LIMIT);
    expect(history.past[0]).toBe(20);
  });
});
