import type { Directory } from "../pbx/directory";

/**
 * The organisation as a sandboxed call sees it (editor test calls, scenario
 * runs): real extensions, queues and phonebook, but every number dialled
 * reaches the flow under test, and nothing is recorded.
 */
export function sandboxDirectory(directory: Directory, flowId: string): Directory {
  return {
    extension: (number) => {
      const extension = directory.extension(number);
      return extension && { ...extension, recordCalls: false };
    },
    flowIdForNumber: () => flowId,
    queue: (id) => directory.queue(id),
    agent: (id) => directory.agent(id),
    agents: () => directory.agents(),
    callerName: (number) => directory.callerName(number),
  };
}
