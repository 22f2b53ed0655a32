{{/*
The one image every pod of the product runs. Set once in the umbrella chart as
global.image.{repository,tag,digest,pullPolicy}; a subchart's own image.* (empty by
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

{{- define "demo-lib.imageDigest" -}}
{{- $local := .Values.image | default dict -}}
{{- coalesce $local.digest (dig "image" "digest" "" (.Values.global | default dict)) | default "" -}}
{{- end -}}

{{/* "<repository>:<tag>", or "<repository>:<tag>@<digest>" (the digest is what runs). */}}
{{- define "demo-lib.image" -}}
{{- include "demo-lib.imageRef" (dict "ctx" . "repository" (include "demo-lib.imageRepository" .) "tag" (include "demo-lib.imageTag" .) "digest" (include "demo-lib.imageDigest" .)) -}}
{{- end -}}

{{/*
An image reference, with global.imageRegistry (Bitnami's name) in place of the
repository's registry: "ghcr.io/example/demo" with imageRegistry "mirror.local"
becomes "mirror.local/example/demo"; a repository without a registry part
("example/demo") gets it as a prefix.
Usage: include "demo-lib.imageRef" (dict "ctx" . "repository" "r" "tag" "t" "digest" "")
*/}}
{{- define "demo-lib.imageRef" -}}
{{- $repository := .repository -}}
{{- with dig "imageRegistry" "" (.ctx.Values.global | default dict) -}}
{{- $parts := splitList "/" $repository -}}
{{- $first := first $parts -}}
{{- if and (gt (len $parts) 1) (or (contains "." $first) (contains ":" $first) (eq "localhost" $first)) -}}
{{- $parts = rest $parts -}}
{{- end -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" .) (join "/" $parts) -}}
{{- end -}}
{{- printf "%s:%s" $repository (toString .tag) -}}
{{- with .digest }}@{{ . }}{{ end -}}
{{- end -}}

{{- define "demo-lib.imagePullPolicy" -}}
{{- $local := .Values.image | default dict -}}
{{- coalesce $local.pullPolicy (dig "image" "pullPolicy" "" (.Values.global | default dict)) "IfNotPresent" -}}
{{- end -}}

{{/*
imagePullSecrets from global.imagePullSecrets: Secret names, as strings or as
{name: ...} objects (both forms Bitnami charts accept).
*/}}
{{- define "demo-lib.imagePullSecrets" -}}
{{- $secrets := dig "imagePullSecrets" list (.Values.global | default dict) -}}
{{- if $secrets }}
imagePullSecrets:
{{- range $secrets }}
  - name: {{ if kindIs "map" . }}{{ .name | quote }}{{ else }}{{ . | quote }}{{ end }}
{{- end }}
{{- end }}
{{- end -}}
