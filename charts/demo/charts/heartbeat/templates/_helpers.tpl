{{/* URL of the heartbeat Service inside the cluster: http://<release>-heartbeat:<port> */}}
{{- define "heartbeat.serverUrl" -}}
{{- printf "http://%s:%v" (include "demo-lib.fullname" .) .Values.service.port -}}
{{- end -}}

{{/* Name of the Secret holding the shared token. */}}
{{- define "heartbeat.secretName" -}}
{{- if .Values.auth.existingSecret -}}
{{- tpl .Values.auth.existingSecret . -}}
{{- else -}}
{{- printf "%s-token" (include "demo-lib.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "heartbeat.secretKey" -}}
{{- if .Values.auth.existingSecret -}}
{{- .Values.auth.existingSecretKey -}}
{{- else -}}
token
{{- end -}}
{{- end -}}

{{/* HEARTBEAT_TOKEN from the Secret, as a file (demo-lib.container's "secrets"). */}}
{{- define "heartbeat.secrets" -}}
{{- list (dict "env" "HEARTBEAT_TOKEN" "secret" (include "heartbeat.secretName" .) "key" (include "heartbeat.secretKey" .)) | toYaml -}}
{{- end -}}

{{- define "heartbeat.serverEnv" -}}
- name: HEARTBEAT_INTERVAL
  value: {{ .Values.interval | quote }}
- name: HEARTBEAT_STORE
  value: {{ .Values.store.type | quote }}
{{- if eq .Values.store.type "redis" }}
{{- $redis := .Values.store.redis }}
{{- $auth := "" }}
{{- if $redis.existingSecret }}
{{- $auth = ":$(REDIS_PASSWORD)@" }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ tpl $redis.existingSecret . }}
      key: {{ $redis.existingSecretPasswordKey }}
{{- end }}
{{- /* $(REDIS_PASSWORD) is expanded by Kubernetes from the variable above. */}}
- name: REDIS_URL
  value: {{ printf "redis://%s%s:%v" $auth (tpl $redis.host .) $redis.port | quote }}
- name: HEARTBEAT_REDIS_PREFIX
  value: {{ $redis.keyPrefix | quote }}
{{- end }}
{{- end -}}

{{/*
Client env: its id comes from the Downward API: the pod name (stable in a StatefulSet), or
in a DaemonSet the node name, which a replaced pod keeps.
*/}}
{{- define "heartbeat.clientEnv" -}}
- name: SERVER_URL
  value: {{ include "heartbeat.serverUrl" . | quote }}
{{- if eq .Values.client.kind "DaemonSet" }}
- name: CLIENT_ID
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
{{- end }}
- name: NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: HEARTBEAT_INTERVAL
  value: {{ .Values.interval | quote }}
- name: METRICS_INTERVAL
  value: {{ .Values.client.metricsInterval | quote }}
{{- end -}}

{{- define "heartbeat.testEnv" -}}
- name: CHECK_URL
  value: {{ include "heartbeat.serverUrl" . | quote }}
{{- end -}}

{{/* The client pod template (shared by the Deployment and the DaemonSet). */}}
{{- define "heartbeat.clientPodTemplate" -}}
metadata:
  {{- include "demo-lib.podMetadata" (dict "ctx" . "component" "client" "annotations" (dict "checksum/token" (include "heartbeat.tokenChecksum" .))) | nindent 2 }}
spec:
  {{- include "demo-lib.podSpecCommon" (dict "ctx" . "component" "client" "spread" (ne .Values.client.kind "DaemonSet")) | nindent 2 }}
  containers:
    {{- include "demo-lib.container" (dict "ctx" . "name" "client" "args" (list "heartbeat-client") "env" (include "heartbeat.clientEnv" .) "resources" .Values.client.resources "probes" true "secrets" (include "heartbeat.secrets" . | fromYamlArray)) | nindent 4 }}
  volumes:
    {{- include "demo-lib.volumes" (dict "ctx" . "secrets" (include "heartbeat.secrets" . | fromYamlArray)) | nindent 4 }}
{{- end -}}

{{/*
A checksum of where the token comes from, so that pods restart when it moves
to another Secret (the generated token itself never changes).
*/}}
{{- define "heartbeat.tokenChecksum" -}}
{{- printf "%s/%s" (include "heartbeat.secretName" .) (include "heartbeat.secretKey" .) | sha256sum | trunc 16 -}}
{{- end -}}

{{/*
The alert rules, in Prometheus's own rule-file format (the PrometheusRule's spec), so that
`promtool test rules` can test exactly what the chart installs. Series are those of the
server's /metrics, scraped by the ServiceMonitor (job = the Service's name). Every replica
exports every client with the Redis store: hence max by client.
*/}}
{{- define "heartbeat.alertRules" -}}
{{- $sel := printf "job=%q, namespace=%q" (include "demo-lib.fullname" .) .Release.Namespace -}}
groups:
  - name: heartbeat
    rules:
      - alert: HeartbeatClientLost
        expr: max by (namespace, client_id) (heartbeat_client_state{{ printf "{%s, state=\"LOST\"}" $sel }}) == 1
        for: {{ .Values.alerts.clientLostFor }}
        labels:
          severity: warning
        annotations:
          summary: "heartbeat client {{ "{{ $labels.client_id }}" }} is LOST"
          description: "The heartbeat server has had no beat from {{ "{{ $labels.client_id }}" }} for 3 intervals or more (it did not say goodbye)."
      - alert: HeartbeatStoreDegraded
        expr: max by (namespace, pod) (heartbeat_store_degraded{{ printf "{%s}" $sel }}) == 1
        for: {{ .Values.alerts.degradedFor }}
        labels:
          severity: warning
        annotations:
          summary: "heartbeat server {{ "{{ $labels.pod }}" }} cannot reach its Redis store"
          description: "Beats are still accepted, but no client is declared LOST while the store is unreachable."
      - alert: HeartbeatNoBeats
        expr: (sum by (namespace) (rate(http_requests_total{{ printf "{%s, method=\"POST\", route=\"/heartbeat\", status=\"200\"}" $sel }}[5m])) or on (namespace) (0 * group by (namespace) (up{{ printf "{%s}" $sel }}))) == 0
        for: {{ .Values.alerts.noBeatsFor }}
        labels:
          severity: critical
        annotations:
          summary: "no heartbeat accepted in {{ "{{ $labels.namespace }}" }}"
          description: "The heartbeat server is scraped but has accepted no heartbeat at all: every client is gone, or none can reach it."
{{- end -}}
