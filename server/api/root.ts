import { createCallerFactory, createTRPCRouter } from "./trpc";
import { accountRouter } from "./routers/account";
import { extensionsRouter, phoneNumbersRouter, usersRouter } from "./routers/directory";
import { flowsRouter } from "./routers/flows";
import { testCallsRouter } from "./routers/testCalls";
import { callCentreRouter, callsRouter, forwardingRouter, phonebookRouter } from "./routers/operations";
import { integrationRouter } from "./routers/integration";
import { audioPromptsRouter } from "./routers/audioPrompts";
import { settingsRouter } from "./routers/settings";
import { overviewRouter } from "./routers/overview";
import { sipTrunksRouter } from "./routers/telephony";

/** Every portal router, registered by hand so the whole API surface is visible here. */
export const appRouter = createTRPCRouter({
  account: accountRouter,
  users: usersRouter,
  extensions: extensionsRouter,
  phoneNumbers: phoneNumbersRouter,
  flows: flowsRouter,
  testCalls: testCallsRouter,
  phonebook: phonebookRouter,
  forwarding: forwardingRouter,
  callCentre: callCentreRouter,
  calls: callsRouter,
  integration: integrationRouter,
  audioPrompts: audioPromptsRouter,
  settings: settingsRouter,
  overview: overviewRouter,
  sipTrunks: sipTrunksRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller for server components and tests. */
export const createCaller = createCallerFactory(appRouter);
