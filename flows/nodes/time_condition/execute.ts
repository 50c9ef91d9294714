import type { NodeExecutor } from "@/flows/model/types";
import { localTime } from "@/flows/time/localTime";
import { isOpen } from "@/flows/time/schedule";

export const executeTimeCondition: NodeExecutor<"time_condition"> = async (ctx, node) => {
  const now = ctx.clock.now();
  const open = isOpen(node.config, now);
  const local = localTime(now, node.config.timezone);
  return {
    kind: "port",
    port: open ? "open" : "closed",
    input: { timezone: node.config.timezone },
    output: { open, local_date: local.date, local_weekday: local.weekday, local_minutes: local.minutes },
  };
};
