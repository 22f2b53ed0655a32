{{/*
Pod and container building blocks. Every pod of the product follows the
"restricted" Pod Security Standard: non-root uid/gid 65532 (distroless
"nonroot"), read-only root filesystem, no privilege escalation, all
capabilities dropped, RuntimeDefault seccomp profile, no service-account token.
*/}}

{{- define "demo-lib.podSecurityContext" -}}
runAsNonRoot: true
{{- if not (include "demo-lib.openshiftAdapt" .) }}
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "demo-lib.containerSecurityContext" -}}
runAsNonRoot: true
{{- if not (include "demo-lib.openshiftAdapt" .) }}
runAsUser: 65532
runAsGroup: 65532
{{- end }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
"1" when the fixed uid/gid 65532 must be left out for OpenShift, which assigns
each namespace its own range (Bitnami's global.compatibility.openshift.
adaptSecurityContext: "force" always, "auto" when the cluster serves the
security.openshift.io API, "disabled" never).
*/}}
{{- define "demo-lib.openshiftAdapt" -}}
{{- $mode := dig "compatibility" "openshift" "adaptSecurityContext" "auto" (.Values.global | default dict) -}}
{{- if or (eq $mode "force") (and (eq $mode "auto") (.Capabilities.APIVersions.Has "security.openshift.io/v1")) -}}1{{- end -}}
{{- end -}}
