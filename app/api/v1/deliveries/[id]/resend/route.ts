export { resendDelivery as POST } from "@/server/api/rest/operations/integration";
