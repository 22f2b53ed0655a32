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
The standard app.kubernetes.io/* labels plus helm.sh/chart.
Usage: include "demo-lib.labels" (dict "ctx" . "component" "server")
*/}}
{{- define "demo-lib.labels" -}}
helm.sh/chart: {{ include "demo-lib.chart" .ctx }}
{{ include "demo-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ include "demo-lib.imageTag" .ctx | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: demo
{{- end -}}
