{{/*
Pod and container building blocks. Every pod of the product follows the
"restricted" Pod Security Standard: non-root uid/gid 65532 (distroless
"nonroot"), read-only root filesystem, no privilege escalation, all
capabilities dropped, RuntimeDefault seccomp profile, no service-account token.
*/}}

{{- define "demo-lib.podSecurityContext" -}}
runAsNonRoot: true
{{- if not (include "demo-lib.openshiftAdapt" .) }}
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "demo-lib.containerSecurityContext" -}}
runAsNonRoot: true
{{- if not (include "demo-lib.openshiftAdapt" .) }}
runAsUser: 65532
runAsGroup: 65532
{{- end }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
"1" when the fixed uid/gid 65532 must be left out for OpenShift, which assigns
each namespace its own range (Bitnami's global.compatibility.openshift.
adaptSecurityContext: "force" always, "auto" when the cluster serves the
security.openshift.io API, "disabled" never).
*/}}
{{- define "demo-lib.openshiftAdapt" -}}
{{- $mode := dig "compatibility" "openshift" "adaptSecurityContext" "auto" (.Values.global | default dict) -}}
{{- if or (eq $mode "force") (and (eq $mode "auto") (.Capabilities.APIVersions.Has "security.openshift.io/v1")) -}}1{{- end -}}
{{- end -}}

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
the chart's extraEnvVars come last.
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

{{/*
A helm test pod running `demo check <system>` from the product image.
Usage: include "demo-lib.testPod" (dict "ctx" . "system" "echo" "env" (include "echo.testEnv" .) "secrets" (list ...))
*/}}
{{- define "demo-lib.testPod" -}}
{{- $ctx := .ctx -}}
{{- $secrets := .secrets | default list -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ include "demo-lib.componentName" (dict "ctx" $ctx "component" "test") }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "demo-lib.labels" (dict "ctx" $ctx "component" "test") | nindent 4 }}
  annotations:
    helm.sh/hook: test
    # Deleted once it passed (helm test --logs has printed it): uninstall leaves nothing behind.
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  restartPolicy: Never
  {{- include "demo-lib.podSpecCommon" (dict "ctx" $ctx "component" "test") | nindent 2 }}
  containers:
    {{- include "demo-lib.container" (dict "ctx" $ctx "name" "check" "args" (list "check" .system) "env" .env "resources" $ctx.Values.test.resources "probes" false "secrets" $secrets) | nindent 4 }}
  volumes:
    {{- include "demo-lib.volumes" (dict "ctx" $ctx "secrets" $secrets) | nindent 4 }}
{{- end -}}

{{/*
NetworkPolicy egress rule allowing DNS lookups (UDP and TCP 53) to any destination.
*/}}
{{- define "demo-lib.dnsEgressRule" -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end -}}

{{/*
A NetworkPolicy for one component, with both policy types (anything not
listed is denied when the cluster's network plugin enforces policies).
Usage: include "demo-lib.networkPolicy" (dict "ctx" . "component" "client"
         "ingress" (YAML list string or "") "egress" (YAML list string or ""))
DNS egress is always allowed. For pods of another chart (the Bitnami ones), "name"
and "selector" (their matchLabels, a dict) replace the component's.
*/}}
{{- define "demo-lib.networkPolicy" -}}
{{- $ctx := .ctx -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .name | default (include "demo-lib.componentName" (dict "ctx" $ctx "component" .component)) }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "demo-lib.labels" (dict "ctx" $ctx "component" .component) | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- if .selector }}
      {{- toYaml .selector | nindent 6 }}
      {{- else }}
      {{- include "demo-lib.selectorLabels" (dict "ctx" $ctx "component" .component) | nindent 6 }}
      {{- end }}
  policyTypes:
    - Ingress
    - Egress
  {{- if .ingress }}
  ingress:
    {{- .ingress | nindent 4 }}
  {{- else }}
  ingress: []
  {{- end }}
  egress:
    {{- include "demo-lib.dnsEgressRule" $ctx | nindent 4 }}
    {{- with .egress }}
    {{- . | nindent 4 }}
    {{- end }}
{{- end -}}

{{/*
A PodDisruptionBudget keeping at least one pod of a component up.
Usage: include "demo-lib.podDisruptionBudget" (dict "ctx" . "component" "server")
*/}}
{{- define "demo-lib.podDisruptionBudget" -}}
{{- $ctx := .ctx -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "demo-lib.componentName" (dict "ctx" $ctx "component" .component) }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "demo-lib.labels" (dict "ctx" $ctx "component" .component) | nindent 4 }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      {{- include "demo-lib.selectorLabels" (dict "ctx" $ctx "component" .component) | nindent 6 }}
{{- end -}}

{{/*
NetworkPolicy rules, as YAML list strings for "demo-lib.networkPolicy".
"demo-lib.ingressHttp": accept TCP on the pod's port named http from anywhere.
"demo-lib.egressToComponent": allow TCP to the pods of a component of this chart.
Usage: include "demo-lib.egressToComponent" (dict "ctx" . "component" "server" "port" "http")
*/}}
{{- define "demo-lib.ingressHttp" -}}
- ports:
    - port: http
      protocol: TCP
{{- end -}}

{{- define "demo-lib.egressToComponent" -}}
- to:
    - podSelector:
        matchLabels:
          {{- include "demo-lib.selectorLabels" (dict "ctx" .ctx "component" .component) | nindent 10 }}
  ports:
    - port: {{ .port | default "http" }}
      protocol: TCP
{{- end -}}
