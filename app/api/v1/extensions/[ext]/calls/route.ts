export { listExtensionCalls as GET } from "@/server/api/rest/operations/calls";
