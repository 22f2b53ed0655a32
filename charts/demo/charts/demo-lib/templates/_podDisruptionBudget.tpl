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
