/**
 * A request body read with a size cap: refused by its declared length, or cut
 * off as soon as it grows past the cap, so an oversized or endless upload
 * never sits in memory whole.
 */
export async function readCappedBody(request: Request, limit: number): Promise<Buffer<ArrayBuffer> | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return null;
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
