import { createSocket } from 'node:dgram';

/** A local UDP port nothing listens on: the kernel answers a datagram to it with ICMP port unreachable. */
export async function closedUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
