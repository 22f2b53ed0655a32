{{/*
The one image every pod of the product runs. Set once in the umbrella chart as
global.image.{repository,tag,pullPolicy}; a subchart's own image.* (empty by
default) overrides it for that system only. The tag defaults to the chart's
appVersion. All helpers take the calling chart's root context.
*/}}

{{- define "demo-lib.imageRepository" -}}
{{- $local := .Values.image | default dict -}}
{{- coalesce $local.repository (dig "image" "repository" "" (.Values.global | default dict)) "ghcr.io/example/demo" -}}
{{- end -}}

{{- define "demo-lib.imageTag" -}}
{{- $local := .Values.image | default dict -}}
{{- coalesce $local.tag (dig "image" "tag" "" (.Values.global | default dict)) .Chart.AppVersion | toString -}}
{{- end -}}

{{/* "<repository>:<tag>" */}}
{{- define "demo-lib.image" -}}
{{- printf "%s:%s" (include "demo-lib.imageRepository" .) (include "demo-lib.imageTag" .) -}}
{{- end -}}

{{- define "demo-lib.imagePullPolicy" -}}
{{- $local := .Values.image | default dict -}}
{{- coalesce $local.pullPolicy (dig "image" "pullPolicy" "" (.Values.global | default dict)) "IfNotPresent" -}}
{{- end -}}

{{/* imagePullSecrets from global.imagePullSecrets (a list of Secret names). */}}
{{- define "demo-lib.imagePullSecrets" -}}
{{- $secrets := dig "imagePullSecrets" list (.Values.global | default dict) -}}
{{- if $secrets }}
imagePullSecrets:
{{- range $secrets }}
  - name: {{ . | quote }}
{{- end }}
{{- end }}
{{- end -}}
