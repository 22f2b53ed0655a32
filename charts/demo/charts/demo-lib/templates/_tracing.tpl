{{/*
OpenTelemetry traces. Set once in the umbrella chart as global.tracing.*; a subchart's own
tracing.* (empty by default) overrides it for that system only. No endpoint: no OTEL_*
variable on any container and no egress rule, so nothing is exported or allowed.
Usage: include "demo-lib.tracing" . | fromYaml   (the calling chart's root context)
*/}}
{{- define "demo-lib.tracing" -}}
{{- $global := dig "tracing" dict (.Values.global | default dict) -}}
{{- $local := .Values.tracing | default dict -}}
{{- $arg := $global.samplerArg -}}
{{- if not (kindIs "invalid" $local.samplerArg) }}{{ $arg = $local.samplerArg }}{{ end -}}
endpoint: {{ coalesce $local.endpoint $global.endpoint "" | quote }}
sampler: {{ coalesce $local.sampler $global.sampler "parentbased_always_on" | quote }}
samplerArg: {{ if kindIs "invalid" $arg }}1{{ else }}{{ $arg }}{{ end }}
collector:
  {{- toYaml (coalesce $local.collector $global.collector list) | nindent 2 }}
{{- end -}}

{{/*
The OTEL_* env entries of one demo container (none without an endpoint). The service name is
<fullname>-<container>, e.g. demo-echo-server: the binary's own default for a release "demo".
Usage: include "demo-lib.tracingEnv" (dict "ctx" . "name" "server")
*/}}
{{- define "demo-lib.tracingEnv" -}}
{{- $tracing := include "demo-lib.tracing" .ctx | fromYaml -}}
{{- if $tracing.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $tracing.endpoint | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ printf "%s-%s" (include "demo-lib.fullname" .ctx) .name | quote }}
- name: OTEL_TRACES_SAMPLER
  value: {{ $tracing.sampler | quote }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ $tracing.samplerArg | quote }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "service.namespace=%s,k8s.namespace.name=%s" .ctx.Release.Name .ctx.Release.Namespace | quote }}
{{- end }}
{{- end -}}

{{/*
NetworkPolicy egress rule to the collector, on the endpoint's port (its URL's, else 80 or
443), to tracing.collector's peers (any destination when none are given); empty without an
endpoint.
Usage: include "demo-lib.tracingEgressRule" .
*/}}
{{- define "demo-lib.tracingEgressRule" -}}
{{- $tracing := include "demo-lib.tracing" . | fromYaml -}}
{{- with $tracing.endpoint }}
{{- $url := urlParse . -}}
{{- $port := regexFind "[0-9]+$" (regexFind ":[0-9]+$" $url.host) | default (ternary "443" "80" (eq $url.scheme "https")) -}}
- ports:
    - port: {{ int $port }}
      protocol: TCP
  {{- with $tracing.collector }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end -}}
