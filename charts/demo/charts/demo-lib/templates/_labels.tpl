{{/*
Selector labels: stable for the life of a release (never put a version here).
Usage: include "demo-lib.selectorLabels" (dict "ctx" . "component" "server")
*/}}
{{- define "demo-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "demo-lib.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/*
The standard app.kubernetes.io/* labels plus helm.sh/chart, and the chart's
commonLabels (Bitnami's name; they never replace a standard label).
Usage: include "demo-lib.labels" (dict "ctx" . "component" "server")
*/}}
{{- define "demo-lib.labels" -}}
{{- $standard := include "demo-lib.standardLabels" . | fromYaml -}}
{{- merge $standard (.ctx.Values.commonLabels | default dict) | toYaml -}}
{{- end -}}

{{- define "demo-lib.standardLabels" -}}
helm.sh/chart: {{ include "demo-lib.chart" .ctx }}
{{ include "demo-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ include "demo-lib.imageTag" .ctx | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: demo
{{- end -}}

{{/*
A pod template's metadata: the labels plus the given labels and podLabels, podAnnotations
plus the given annotations (e.g. a checksum; they win over podAnnotations).
Usage: include "demo-lib.podMetadata" (dict "ctx" . "component" "server" "labels" (dict ...)
         "annotations" (dict ...))
*/}}
{{- define "demo-lib.podMetadata" -}}
{{- $labels := include "demo-lib.labels" . | fromYaml -}}
labels:
  {{- merge $labels (.labels | default dict) (.ctx.Values.podLabels | default dict) | toYaml | nindent 2 }}
{{- $annotations := merge (.annotations | default dict) (.ctx.Values.podAnnotations | default dict) }}
{{- with $annotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
