export { getSimulatedCall as GET } from "@/server/api/rest/operations/simulator";
