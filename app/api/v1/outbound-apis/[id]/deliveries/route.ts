export { listDeliveries as GET } from "@/server/api/rest/operations/integration";
