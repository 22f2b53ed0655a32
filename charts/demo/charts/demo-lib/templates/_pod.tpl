{{/*
Pod and container building blocks: probes, the common pod spec, the demo container,
secrets as files and volumes. Security contexts are in _securityContext.tpl.
*/}}

{{/*
httpGet probes on the container port named "http": liveness on /healthz
(process alive), readiness on /readyz (dependencies usable); their timings
from the chart's livenessProbe/readinessProbe values (enabled=false leaves one out).
*/}}
{{- define "demo-lib.httpProbes" -}}
{{- range $probe, $path := dict "livenessProbe" "/healthz" "readinessProbe" "/readyz" }}
{{- $values := index $.Values $probe | default dict }}
{{- if $values.enabled }}
{{ $probe }}:
  httpGet:
    path: {{ $path }}
    port: http
  {{- toYaml (omit $values "enabled") | nindent 2 }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
Pod-level settings shared by every long-running pod and test pod.
Usage: include "demo-lib.podSpecCommon" (dict "ctx" . "component" "server" "spread" true)
"spread": add a soft anti-affinity that prefers one pod per node (multi-replica
workloads), unless the chart's values set their own affinity.
*/}}
{{- define "demo-lib.podSpecCommon" -}}
{{- $ctx := .ctx -}}
automountServiceAccountToken: false
enableServiceLinks: false
terminationGracePeriodSeconds: 30
securityContext:
  {{- include "demo-lib.podSecurityContext" $ctx | nindent 2 }}
{{- include "demo-lib.imagePullSecrets" $ctx }}
{{- with $ctx.Values.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- with $ctx.Values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $ctx.Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $ctx.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if $ctx.Values.affinity }}
affinity:
  {{- toYaml $ctx.Values.affinity | nindent 2 }}
{{- else if .spread }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "demo-lib.selectorLabels" (dict "ctx" $ctx "component" .component) | nindent 14 }}
{{- end }}
{{- end -}}

{{/*
The container running the demo binary.
Usage: include "demo-lib.container" (dict "ctx" . "name" "server" "args" (list "echo-server")
         "env" (include "echo.serverEnv" .) "resources" .Values.server.resources "probes" true
         "secrets" (list (dict "env" "HEARTBEAT_TOKEN" "secret" "<name>" "key" "token")))
"env": extra env entries as a YAML list (string); PORT=8080 and LOG_LEVEL are always set,
the OTEL_* variables when traces are configured (demo-lib.tracingEnv), the chart's
extraEnvVars come last.
"probes": httpGet liveness/readiness probes (true for everything that serves HTTP).
"secrets": Secret keys mounted as files (see demo-lib.secretFiles), passed as <env>_FILE.
*/}}
{{- define "demo-lib.container" -}}
- name: {{ .name }}
  image: {{ include "demo-lib.image" .ctx | quote }}
  imagePullPolicy: {{ include "demo-lib.imagePullPolicy" .ctx }}
  args:
    {{- toYaml .args | nindent 4 }}
  env:
    - name: PORT
      value: "8080"
    - name: LOG_LEVEL
      value: {{ .ctx.Values.logLevel | default "info" | quote }}
    {{- with .env }}
    {{- . | nindent 4 }}
    {{- end }}
    {{- include "demo-lib.tracingEnv" (dict "ctx" .ctx "name" .name) | nindent 4 }}
    {{- range .secrets }}
    - name: {{ .env }}_FILE
      value: {{ include "demo-lib.secretFile" . | quote }}
    {{- end }}
    {{- with .ctx.Values.extraEnvVars }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if .probes }}
  ports:
    - name: http
      containerPort: 8080
      protocol: TCP
  {{- include "demo-lib.httpProbes" .ctx | trim | nindent 2 }}
  {{- end }}
  resources:
    {{- required (printf "resources are required for the %s container" .name) .resources | toYaml | nindent 4 }}
  securityContext:
    {{- include "demo-lib.containerSecurityContext" .ctx | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
    {{- if .secrets }}
    - name: secrets
      mountPath: /etc/demo/secrets
      readOnly: true
    {{- end }}
{{- end -}}

{{/*
Secrets reach the binary as files, never as environment variables (no password in
the pod spec's env or in /proc/<pid>/environ): each Secret key is projected to
/etc/demo/secrets/<env>, and the container gets <env>_FILE with that path, which
the binary's configuration reader accepts for any variable.
A secret is a dict: "env" (the variable), "secret" (Secret name), "key".
*/}}
{{- define "demo-lib.secretFile" -}}
{{- printf "/etc/demo/secrets/%s" .env -}}
{{- end -}}

{{/*
The pod volumes the demo container needs: a small writable /tmp (the root
filesystem is read-only), and the Secret files when there are any.
Usage: include "demo-lib.volumes" (dict "ctx" . "secrets" (list ...))
*/}}
{{- define "demo-lib.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 32Mi
{{- with .secrets }}
- name: secrets
  projected:
    defaultMode: 0440
    sources:
      {{- range . }}
      - secret:
          name: {{ .secret }}
          items:
            - key: {{ .key }}
              path: {{ .env }}
      {{- end }}
{{- end }}
{{- end -}}
