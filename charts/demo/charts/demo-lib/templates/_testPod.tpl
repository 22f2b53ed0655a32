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
