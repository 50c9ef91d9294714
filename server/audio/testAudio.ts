import { alaw } from "alawmulaw";
import { MPEGDecoder } from "mpg123-decoder";

/**
 * Real audio bytes for tests: a WAV of silence or of a sine tone, a minimal
 * MP3 (frames of silence after an ID3 tag), and an MP3 decoder to check
 * encoded audio by listening to it rather than by its headers.
 */

/** `toneHz` fills every channel with a sine at about -12 dBFS (16-bit PCM, or A-law with encoding 6); without it, silence. */
export function wavBytes({ durationMs = 1000, sampleRate = 8000, channels = 1, bits = 16, encoding = 1, toneHz = 0 } = {}): Buffer {
  const blockAlign = (channels * bits) / 8;
  const frames = Math.round((durationMs * sampleRate) / 1000);
  const dataBytes = frames * blockAlign;
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
  const data = Buffer.alloc(dataBytes);
  if (toneHz > 0) {
    if (!((encoding === 1 && bits === 16) || (encoding === 6 && bits === 8))) throw new Error("tones are written as 16-bit PCM or A-law");
    for (let frame = 0; frame < frames; frame++) {
      const sample = Math.round(8000 * Math.sin((2 * Math.PI * toneHz * frame) / sampleRate));
      for (let channel = 0; channel < channels; channel++) {
        const offset = frame * blockAlign + (channel * bits) / 8;
        if (encoding === 6) data[offset] = alaw.encodeSample(sample);
        else data.writeInt16LE(sample, offset);
      }
    }
  }
  return Buffer.concat([header, data]);
}

/**
 * Decodes an MP3 with mpg123 (WASM): its sample rate, decoded length, how
 * long it actually sounds (first to last sample above -46 dBFS: an MP3 adds
 * the encoder's delay and frame padding as silence, up to ~0.25 s at 8 kHz
 * where a frame is 72 ms), and the RMS level while it sounds (0–1).
 */
export async function decodeMp3(bytes: Uint8Array): Promise<{ sampleRate: number; seconds: number; soundSeconds: number; rms: number; errors: number }> {
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    const decoded = decoder.decode(bytes);
    const channel = decoded.channelData[0] ?? new Float32Array();
    const audible = (value: number) => Math.abs(value) > 0.005;
    const first = channel.findIndex(audible);
    const last = channel.findLastIndex(audible);
    let energy = 0;
    for (let i = Math.max(0, first); i <= last; i++) energy += channel[i] * channel[i];
    const sounding = first < 0 ? 0 : last - first + 1;
    return {
      sampleRate: decoded.sampleRate,
      seconds: decoded.samplesDecoded / decoded.sampleRate,
      soundSeconds: sounding / decoded.sampleRate,
      rms: sounding > 0 ? Math.sqrt(energy / sounding) : 0,
      errors: decoded.errors.length,
    };
  } finally {
    decoder.free();
  }
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
