import type { NodeExecutor } from "@/flows/model/types";

export const executeHangup: NodeExecutor<"hangup"> = async () => ({ kind: "end_call", cause: "normal_clearing" });
