// CLIENT spans for Redis commands (ioredis) and MySQL queries (mysql2), from the events both
// drivers publish on Node's diagnostics_channel tracing channels: no module patching, so they
// work in the compiled binary too. A span is made only inside a traced request (a health
// ping or the near-cache's invalidation connection makes none) and never carries a parameter
// value: Redis spans name the command only, SQL text has every literal replaced by `?`.
import dc from "node:diagnostics_channel";
import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";

interface Described {
  name: string;
  attributes: Attributes;
}
type Message = Record<string, unknown> & { error?: unknown };

export function traceDatabaseClients(tracer: Tracer) {
  const redis = (message: Message, operation: string): Described => ({
    name: operation,
    attributes: {
      "db.system.name": "redis",
      "db.operation.name": operation,
      "db.namespace": String(message.database ?? 0),
      "server.address": message.serverAddress as string,
      "server.port": message.serverPort as number,
    },
  });
  subscribe(tracer, "ioredis:command", (m) => redis(m, String(m.command).toUpperCase()));
  subscribe(tracer, "ioredis:batch", (m) => redis(m, String(m.batchMode ?? "MULTI")));
  for (const channel of ["mysql2:query", "mysql2:execute"])
    subscribe(tracer, channel, (m) => describeSql(m));
}

/** `SELECT users` and the attributes of one SQL statement, its literals left out. */
export function describeSql(message: Message): Described {
  const text = sanitizeSql(String(message.query ?? ""));
  const operation = text.match(/^\s*(\w+)/)?.[1]?.toUpperCase() ?? "";
  const table = text.match(
    /\b(?:from|into|update|table(?:\s+if\s+(?:not\s+)?exists)?)\s+[`"]?(\w+)/i,
  )?.[1];
  return {
    name: [operation, table].filter(Boolean).join(" ") || "mysql",
    attributes: {
      "db.system.name": "mysql",
      "db.namespace": (message.database as string) || undefined,
      "db.operation.name": operation || undefined,
      "db.collection.name": table,
      "db.query.text": text,
      "server.address": message.serverAddress as string,
      "server.port": message.serverPort as number | undefined,
    },
  };
}

// Quoted strings, hex and numeric literals; identifiers (`t1`, users2) keep their digits.
const LITERALS =
  /'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|\b0x[0-9a-f]+\b|\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi;

/** The statement with every literal replaced by `?`: mysql2's query() inlines the values. */
export const sanitizeSql = (sql: string) => sql.replace(LITERALS, "?");

function subscribe(tracer: Tracer, channel: string, describe: (message: Message) => Described) {
  const spans = new WeakMap<object, Span>();
  const finish = (message: Message) => {
    const span = spans.get(message);
    if (!span) return;
    spans.delete(message);
    if (message.error !== undefined) {
      const error = message.error as Error;
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error?.message });
      span.setAttribute("error.type", (error as { code?: string })?.code ?? error?.name ?? "Error");
    }
    span.end();
  };
  dc.tracingChannel(channel).subscribe({
    start(message: object) {
      const parent = context.active();
      if (!trace.getSpan(parent)) return;
      const { name, attributes } = describe(message as Message);
      spans.set(message, tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent));
    },
    // A call that threw at once ends here; one that went on ends at asyncEnd.
    end: (message: object) => {
      if ((message as Message).error !== undefined) finish(message as Message);
    },
    asyncStart() {},
    asyncEnd: (message: object) => finish(message as Message),
    error() {},
  });
}
