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

{{/* HEARTBEAT_TOKEN from the Secret. */}}
{{- define "heartbeat.tokenEnv" -}}
- name: HEARTBEAT_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "heartbeat.secretName" . }}
      key: {{ include "heartbeat.secretKey" . }}
{{- end -}}

{{- define "heartbeat.serverEnv" -}}
{{ include "heartbeat.tokenEnv" . }}
- name: HEARTBEAT_INTERVAL
  value: {{ .Values.interval | quote }}
{{- end -}}

{{/*
Client env: its id comes from the Downward API: the pod name (stable in a StatefulSet), or
in a DaemonSet the node name, which a replaced pod keeps.
*/}}
{{- define "heartbeat.clientEnv" -}}
- name: SERVER_URL
  value: {{ include "heartbeat.serverUrl" . | quote }}
{{ include "heartbeat.tokenEnv" . }}
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
{{ include "heartbeat.tokenEnv" . }}
{{- end -}}

{{/* The client pod template (shared by the Deployment and the DaemonSet). */}}
{{- define "heartbeat.clientPodTemplate" -}}
metadata:
  labels:
    {{- include "demo-lib.labels" (dict "ctx" . "component" "client") | nindent 4 }}
  annotations:
    checksum/token: {{ include "heartbeat.tokenChecksum" . }}
spec:
  {{- include "demo-lib.podSpecCommon" (dict "ctx" . "component" "client" "spread" (ne .Values.client.kind "DaemonSet")) | nindent 2 }}
  containers:
    {{- include "demo-lib.container" (dict "ctx" . "name" "client" "args" (list "heartbeat-client") "env" (include "heartbeat.clientEnv" .) "resources" .Values.client.resources "probes" true) | nindent 4 }}
  volumes:
    {{- include "demo-lib.volumes" . | nindent 4 }}
{{- end -}}

{{/*
A checksum of where the token comes from, so that pods restart when it moves
to another Secret (the generated token itself never changes).
*/}}
{{- define "heartbeat.tokenChecksum" -}}
{{- printf "%s/%s" (include "heartbeat.secretName" .) (include "heartbeat.secretKey" .) | sha256sum | trunc 16 -}}
{{- end -}}
