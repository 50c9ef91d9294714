export { listCallRecords as GET } from "@/server/api/rest/operations/operations";
