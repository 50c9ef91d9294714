import type { NodeExecutor } from "@/flows/model/types";

export const executeStart: NodeExecutor<"start"> = async () => ({ kind: "port", port: "next" });
