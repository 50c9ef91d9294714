/** Real audio bytes for tests: a PCM WAV of silence, and a minimal MP3 (frames of silence after an ID3 tag). */

export function wavBytes({ durationMs = 1000, sampleRate = 8000, channels = 1, bits = 16, encoding = 1 } = {}): Buffer {
  const blockAlign = (channels * bits) / 8;
  const dataBytes = Math.round((durationMs * sampleRate) / 1000) * blockAlign;
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write("WAVE", 8, "latin1");
  header.write("fmt ", 12, "latin1");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(encoding, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bits, 34);
  header.write("data", 36, "latin1");
  header.writeUInt32LE(dataBytes, 40);
  return Buffer.concat([header, Buffer.alloc(dataBytes)]);
}

/** MPEG-1 layer III, 128 kbit/s, 44.1 kHz: 417-byte frames of 1152 samples; `frames` of them after a small ID3v2 tag. */
export function mp3Bytes(frames = 40, withId3 = true): Buffer {
  const frame = Buffer.alloc(417);
  frame[0] = 0xff;
  frame[1] = 0xfb; // sync, MPEG-1, layer III, no CRC
  frame[2] = 0x90; // 128 kbit/s, 44.1 kHz, no padding
  frame[3] = 0xc4; // mono
  const id3 = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 10, ...Buffer.alloc(10)]);
  return Buffer.concat([...(withId3 ? [id3] : []), ...Array.from({ length: frames }, () => frame)]);
}
