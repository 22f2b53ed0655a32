// For the HTTP kit's tests: a request written byte for byte on a TCP socket, for what fetch
// will not send (a lowercase or unknown method, a short Host, a 20 KB URL), and everything
// the server answered until it closed the connection.
import { connect, type Socket } from "node:net";

/** Writes `request` as is and resolves with every byte the server sent before closing. */
export function rawHttp(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
  });
}

/** A request that asks the server to close the connection after answering. */
export const closing = (method: string, path: string, host = "localhost", extra = "") =>
  `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${extra}\r\n`;

/** Connects and writes `request`, leaving the socket open: a request the server holds. */
export function openRequest(port: number, request: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request, () => resolve(socket)));
    socket.on("error", reject);
  });
}
