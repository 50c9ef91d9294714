export { getCall as GET } from "@/server/api/rest/operations/calls";
