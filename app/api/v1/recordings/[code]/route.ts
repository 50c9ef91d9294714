export { getRecording as GET } from "@/server/api/rest/operations/integration";
