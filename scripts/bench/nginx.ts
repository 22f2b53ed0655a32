// Shared by the benchmarks: nginx (Debian's, one worker) answering GET / with a fixed JSON
// body, the reference a fast server is held to on the same machine in the same run.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntilUp } from "./wrk";

export async function startNginx(port: number, body: string) {
  if (!Bun.which("nginx")) throw new Error("nginx not found: apt-get install -y nginx-light");
  const dir = mkdtempSync(join(tmpdir(), "bench-nginx-"));
  writeFileSync(
    join(dir, "nginx.conf"),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server {
    listen 127.0.0.1:${port};
    location = / { default_type "application/json;charset=utf-8"; return 200 '${body}'; }
  }
}
`,
  );
  const master = Bun.spawn(["nginx", "-p", dir, "-c", join(dir, "nginx.conf")], {
    stderr: "inherit",
  });
  await waitUntilUp(`http://127.0.0.1:${port}/`);
  const worker = Number((await Bun.$`pgrep -P ${master.pid}`.text()).trim().split("\n")[0]);
  return { worker, stop: () => master.kill("SIGQUIT") };
}
