{{/*
NetworkPolicy egress rule allowing DNS lookups (UDP and TCP 53) to any destination.
*/}}
{{- define "demo-lib.dnsEgressRule" -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end -}}

{{/*
A NetworkPolicy for one component, with both policy types (anything not
listed is denied when the cluster's network plugin enforces policies).
Usage: include "demo-lib.networkPolicy" (dict "ctx" . "component" "client"
         "ingress" (YAML list string or "") "egress" (YAML list string or ""))
DNS egress is always allowed, and the trace collector when one is configured (our pods
only). For pods of another chart (the Bitnami ones), "name"
and "selector" (their matchLabels, a dict) replace the component's.
*/}}
{{- define "demo-lib.networkPolicy" -}}
{{- $ctx := .ctx -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .name | default (include "demo-lib.componentName" (dict "ctx" $ctx "component" .component)) }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "demo-lib.labels" (dict "ctx" $ctx "component" .component) | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- if .selector }}
      {{- toYaml .selector | nindent 6 }}
      {{- else }}
      {{- include "demo-lib.selectorLabels" (dict "ctx" $ctx "component" .component) | nindent 6 }}
      {{- end }}
  policyTypes:
    - Ingress
    - Egress
  {{- if .ingress }}
  ingress:
    {{- .ingress | nindent 4 }}
  {{- else }}
  ingress: []
  {{- end }}
  egress:
    {{- include "demo-lib.dnsEgressRule" $ctx | nindent 4 }}
    {{- with .egress }}
    {{- . | nindent 4 }}
    {{- end }}
    {{- if not .selector }}
    {{- with include "demo-lib.tracingEgressRule" $ctx }}
    {{- . | nindent 4 }}
    {{- end }}
    {{- end }}
{{- end -}}

{{/*
NetworkPolicy rules, as YAML list strings for "demo-lib.networkPolicy".
"demo-lib.ingressHttp": accept TCP on the pod's port named http from anywhere.
"demo-lib.egressToComponent": allow TCP to the pods of a component of this chart.
Usage: include "demo-lib.egressToComponent" (dict "ctx" . "component" "server" "port" "http")
*/}}
{{- define "demo-lib.ingressHttp" -}}
- ports:
    - port: http
      protocol: TCP
{{- end -}}

{{- define "demo-lib.egressToComponent" -}}
- to:
    - podSelector:
        matchLabels:
          {{- include "demo-lib.selectorLabels" (dict "ctx" .ctx "component" .component) | nindent 10 }}
  ports:
    - port: {{ .port | default "http" }}
      protocol: TCP
{{- end -}}
