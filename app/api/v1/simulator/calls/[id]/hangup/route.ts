export { hangUpSimulatedCall as POST } from "@/server/api/rest/operations/simulator";
