import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { agents, queueMembers, queues, users } from "../db/schema";

export interface QueueView {
  id: string;
  name: string;
  strategy: "ring_all" | "longest_idle";
  maxWaitS: number;
  wrapUpS: number;
  members: { agentId: string; userId: string; name: string }[];
}

export async function listQueues(db: Db): Promise<QueueView[]> {
  const members = await db
    .select({ queueId: queueMembers.queueId, agentId: agents.id, userId: users.id, firstName: users.firstName, lastName: users.lastName })
    .from(queueMembers)
    .innerJoin(agents, eq(agents.id, queueMembers.agentId))
    .innerJoin(users, eq(users.id, agents.userId));
  return (await db.select().from(queues).orderBy(asc(queues.name))).map((q) => ({
      id: q.id,
      name: q.name,
      strategy: q.strategy,
      maxWaitS: q.maxWaitS,
      wrapUpS: q.wrapUpS,
      members: members
        .filter((m) => m.queueId === q.id)
        .map((m) => ({ agentId: m.agentId, userId: m.userId, name: `${m.firstName} ${m.lastName}`.trim() })),
    }));
}
