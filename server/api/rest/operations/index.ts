/**
 * Every operation module of the public API. Adding an area: one import and
 * one entry here; every `defineOperation` export of the module is picked up
 * (OpenAPI document, route-file consistency test).
 */
import { isOperation, type OperationDefinition, type RouteHandler } from "../operation";
import * as auth from "./auth";
import * as calls from "./calls";
import * as flows from "./flows";
import * as integration from "./integration";
import * as numbers from "./numbers";
import * as operations from "./operations";
import * as simulator from "./simulator";
import * as users from "./users";

export const operationModules: Record<string, unknown>[] = [auth, calls, users, flows, numbers, simulator, operations, integration];

export function allOperations(): OperationDefinition[] {
  return allRouteHandlers().map((handler) => handler.operation);
}

export function allRouteHandlers(): RouteHandler[] {
  return operationModules.flatMap((module) => Object.values(module).filter(isOperation));
}
