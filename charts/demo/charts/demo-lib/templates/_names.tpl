{{/*
Names. Every helper here takes the calling chart's root context (.), or a dict
with "ctx" (that context) and "component" where a component is involved.
*/}}

{{/* The chart's short name: .Chart.Name or nameOverride. */}}
{{- define "demo-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The system's full name: "<release>-<chart>" (e.g. demo-echo), or fullnameOverride.
Always prefixed by the release name, so that Service names are predictable:
<release>-echo, <release>-heartbeat, <release>-users.
*/}}
{{- define "demo-lib.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "demo-lib.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
The name of one component of the system: "<fullname>-<component>", or just
<fullname> when the component is the system's server.
Usage: include "demo-lib.componentName" (dict "ctx" . "component" "client")
*/}}
{{- define "demo-lib.componentName" -}}
{{- $full := include "demo-lib.fullname" .ctx -}}
{{- if or (not .component) (eq .component "server") -}}
{{- $full -}}
{{- else -}}
{{- printf "%s-%s" ($full | trunc (int (sub 62 (len .component)))) .component | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* "<chart>-<version>" for the helm.sh/chart label. */}}
{{- define "demo-lib.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}
