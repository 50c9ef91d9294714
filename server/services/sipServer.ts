/**
 * Where phones register (issue #13): the SIP edge's advertised address and
 * port as the portal shows them, or that this server runs simulated telephony.
 */
import { getConfig } from "../config";

export type SipServerAddress =
  | { telephony: "sip"; address: string; port: number; transport: "udp" }
  | { telephony: "simulated" };

export function sipServerAddress(): SipServerAddress {
  const config = getConfig();
  if (config.TELEPHONY !== "sip") return { telephony: "simulated" };
  const [listenAddress, port] = config.SIP_LISTEN.split(":");
  return { telephony: "sip", address: config.SIP_ADVERTISED_ADDRESS ?? listenAddress, port: Number(port), transport: "udp" };
}
