/** Next.js calls this once per server process, before the first request. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // IP allowlists of the public API need the TCP peer address, which route handlers cannot see.
    const { installPeerAddressHeader } = await import("./server/api/rest/clientIp");
    installPeerAddressHeader();
    const { boot } = await import("./server/boot");
    await boot();
  }
}
