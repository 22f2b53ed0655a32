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
{{- end -}}

{{/* Client env: its id comes from the Downward API (node and pod name). */}}
{{- define "heartbeat.clientEnv" -}}
- name: SERVER_URL
  value: {{ include "heartbeat.serverUrl" . | quote }}
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
  {{- include "demo-lib.podSpecCommon" (dict "ctx" . "component" "client" "spread" (eq .Values.client.kind "Deployment")) | nindent 2 }}
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
