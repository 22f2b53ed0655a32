// A WebSocket client for tests: every message it receives, and how the server closed it.

export interface TestSocket {
  socket: WebSocket;
  /** Every message received so far (text as string, binary as Uint8Array). */
  received: Array<string | Uint8Array>;
  /** Resolves with the close code and reason once the connection is closed. */
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens `url` and resolves once the handshake is done; rejects if it fails. */
export function openWebSocket(url: string): Promise<TestSocket> {
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  const received: TestSocket["received"] = [];
  socket.addEventListener("message", ({ data }) =>
    received.push(typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer)),
  );
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener("close", ({ code, reason }) => resolve({ code, reason })),
  );
  return new Promise((resolve, reject) => {
    socket.addEventListener("open", () => resolve({ socket, received, closed }));
    socket.addEventListener("error", () => reject(new Error(`WebSocket ${url} failed to open`)));
  });
}
