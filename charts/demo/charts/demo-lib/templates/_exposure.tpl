{{/*
Ways in from outside the cluster, for a system whose Service is
"demo-lib.fullname" on .Values.service.port: an Ingress (.Values.ingress) and a
Gateway API HTTPRoute (.Values.httpRoute), both off by default. Each renders
nothing unless enabled. Usage: include "demo-lib.ingress" .
*/}}
{{- define "demo-lib.ingress" -}}
{{- with .Values.ingress }}
{{- if .enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "demo-lib.fullname" $ }}
  namespace: {{ $.Release.Namespace }}
  labels:
    {{- include "demo-lib.labels" (dict "ctx" $ "component" "server") | nindent 4 }}
  {{- with .annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with .ingressClassName }}
  ingressClassName: {{ . | quote }}
  {{- end }}
  rules:
    - {{- with .hostname }}
      host: {{ . | quote }}
      {{- end }}
      http:
        paths:
          - path: {{ .path }}
            pathType: {{ .pathType }}
            backend:
              service:
                name: {{ include "demo-lib.fullname" $ }}
                port:
                  name: http
  {{- if .tls }}
  tls:
    - hosts:
        - {{ required "ingress.tls needs ingress.hostname" .hostname | quote }}
      secretName: {{ .secretName | default (printf "%s-tls" .hostname) }}
  {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "demo-lib.httpRoute" -}}
{{- with .Values.httpRoute }}
{{- if .enabled }}
{{- if not .parentRefs }}
{{- fail "httpRoute.parentRefs must name the Gateway (e.g. [{name: my-gateway, namespace: gateways}])" }}
{{- end }}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {{ include "demo-lib.fullname" $ }}
  namespace: {{ $.Release.Namespace }}
  labels:
    {{- include "demo-lib.labels" (dict "ctx" $ "component" "server") | nindent 4 }}
  {{- with .annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  parentRefs:
    {{- toYaml .parentRefs | nindent 4 }}
  {{- with .hostnames }}
  hostnames:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: {{ .path }}
      backendRefs:
        - name: {{ include "demo-lib.fullname" $ }}
          port: {{ $.Values.service.port }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
A HorizontalPodAutoscaler for the system's main Deployment (named
"demo-lib.fullname"), from its autoscaling.hpa values (Bitnami's names).
Renders nothing unless enabled. The stabilization windows (null: Kubernetes' defaults, 0 s up
and 300 s down) go in spec.behavior; 0 is a window too.
Usage: include "demo-lib.hpa" (dict "ctx" . "component" "server" "hpa" .Values.server.autoscaling.hpa)
*/}}
{{- define "demo-lib.hpa" -}}
{{- $ctx := .ctx -}}
{{- with .hpa }}
{{- if .enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "demo-lib.fullname" $ctx }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "demo-lib.labels" (dict "ctx" $ctx "component" $.component) | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "demo-lib.fullname" $ctx }}
  minReplicas: {{ .minReplicas }}
  maxReplicas: {{ .maxReplicas }}
  metrics:
    {{- range $resource, $target := dict "cpu" .targetCPU "memory" .targetMemory }}
    {{- if $target }}
    - type: Resource
      resource:
        name: {{ $resource }}
        target:
          type: Utilization
          averageUtilization: {{ $target }}
    {{- end }}
    {{- end }}
  {{- $windows := dict "scaleUp" .scaleUpStabilizationSeconds "scaleDown" .scaleDownStabilizationSeconds }}
  {{- if or (not (kindIs "invalid" $windows.scaleUp)) (not (kindIs "invalid" $windows.scaleDown)) }}
  behavior:
    {{- range $direction, $seconds := $windows }}
    {{- if not (kindIs "invalid" $seconds) }}
    {{ $direction }}:
      stabilizationWindowSeconds: {{ $seconds }}
    {{- end }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
The replicas a Deployment starts with and keeps at least: the HPA's
minReplicas when autoscaling, else replicaCount.
Usage: include "demo-lib.minReplicas" .Values.server
*/}}
{{- define "demo-lib.minReplicas" -}}
{{- if dig "autoscaling" "hpa" "enabled" false . -}}
{{- .autoscaling.hpa.minReplicas -}}
{{- else -}}
{{- .replicaCount -}}
{{- end -}}
{{- end -}}
