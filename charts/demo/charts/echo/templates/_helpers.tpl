{{/* URL of the echo Service inside the cluster: http://<release>-echo:<port> */}}
{{- define "echo.serverUrl" -}}
{{- printf "http://%s:%v" (include "demo-lib.fullname" .) .Values.service.port -}}
{{- end -}}

{{/* Env of the client container (PORT is set by demo-lib). */}}
{{- define "echo.clientEnv" -}}
- name: SERVER_URL
  value: {{ include "echo.serverUrl" . | quote }}
- name: ECHO_NAME
  value: {{ .Values.client.name | quote }}
- name: ECHO_INTERVAL
  value: {{ .Values.client.interval | quote }}
{{- end -}}

{{/* Env of the helm test pod. */}}
{{- define "echo.testEnv" -}}
- name: CHECK_URL
  value: {{ include "echo.serverUrl" . | quote }}
{{- end -}}
