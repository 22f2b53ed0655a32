{{/*
Wiring of the users API to MySQL and Redis, for the three modes:
Bitnami subcharts (mysql.enabled / redis.enabled), Redis sidecar
(redisSidecar.enabled) and external servers (externalDatabase / externalRedis).
*/}}

{{/* URL of the users Service inside the cluster: http://<release>-users:<port> */}}
{{- define "users.apiUrl" -}}
{{- printf "http://%s:%v" (include "demo-lib.fullname" .) .Values.service.port -}}
{{- end -}}

{{/*
Full name of a Bitnami subchart, as Bitnami's "common.names.fullname" computes
it: fullnameOverride, else "<release>-<name>" (just "<release>" when the release
name already contains the chart name). Usage: include "users.bitnamiFullname" (dict "ctx" . "chart" "mysql")
*/}}
{{- define "users.bitnamiFullname" -}}
{{- $values := index .ctx.Values .chart | default dict -}}
{{- if $values.fullnameOverride -}}
{{- $values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .chart $values.nameOverride -}}
{{- if contains $name .ctx.Release.Name -}}
{{- .ctx.Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .ctx.Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Names of the Secrets passed to the Bitnami charts (auth.existingSecret, templated). */}}
{{- define "users.mysqlSecretName" -}}
{{- tpl (required "mysql.auth.existingSecret must name the MySQL Secret" .Values.mysql.auth.existingSecret) . -}}
{{- end -}}

{{- define "users.redisSecretName" -}}
{{- tpl (required "redis.auth.existingSecret must name the Redis Secret" .Values.redis.auth.existingSecret) . -}}
{{- end -}}

{{/* MySQL connection: host, port, user, database, password Secret and key; TLS (external only). */}}
{{- define "users.mysql" -}}
{{- if .Values.mysql.enabled -}}
host: {{ include "users.bitnamiFullname" (dict "ctx" . "chart" "mysql") }}
port: {{ dig "primary" "service" "ports" "mysql" 3306 .Values.mysql }}
user: {{ .Values.mysql.auth.username }}
database: {{ .Values.mysql.auth.database }}
secretName: {{ include "users.mysqlSecretName" . }}
secretKey: mysql-password
{{- else -}}
host: {{ required "users: set externalDatabase.host (or mysql.enabled=true)" .Values.externalDatabase.host }}
port: {{ .Values.externalDatabase.port }}
user: {{ .Values.externalDatabase.user }}
database: {{ .Values.externalDatabase.database }}
secretName: {{ required "users: set externalDatabase.existingSecret, the Secret holding the MySQL password (or mysql.enabled=true)" .Values.externalDatabase.existingSecret }}
secretKey: {{ .Values.externalDatabase.existingSecretPasswordKey }}
{{- with .Values.externalDatabase.tls }}
{{- if .enabled }}
tls: true
tlsVerify: {{ .verify }}
{{- if .existingSecret }}
caSecretName: {{ .existingSecret }}
caSecretKey: {{ .caKey }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* Redis connection: host, port and the password Secret/key (empty when none). Empty host: no Redis. */}}
{{- define "users.redis" -}}
{{- if .Values.redis.enabled -}}
host: {{ printf "%s-master" (include "users.bitnamiFullname" (dict "ctx" . "chart" "redis")) }}
port: {{ dig "master" "service" "ports" "redis" 6379 .Values.redis }}
{{- if .Values.redis.auth.enabled }}
secretName: {{ include "users.redisSecretName" . }}
secretKey: {{ .Values.redis.auth.existingSecretPasswordKey | default "redis-password" }}
{{- end }}
{{- else if .Values.redisSidecar.enabled -}}
host: 127.0.0.1
port: 6379
{{- else if .Values.externalRedis.host -}}
host: {{ .Values.externalRedis.host }}
port: {{ .Values.externalRedis.port }}
{{- if .Values.externalRedis.existingSecret }}
secretName: {{ .Values.externalRedis.existingSecret }}
secretKey: {{ .Values.externalRedis.existingSecretPasswordKey }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* Env of the API container (PORT is set by demo-lib). */}}
{{- define "users.apiEnv" -}}
{{- $mysql := include "users.mysql" . | fromYaml -}}
{{- $redis := include "users.redis" . | fromYaml -}}
- name: MYSQL_HOST
  value: {{ $mysql.host | quote }}
- name: MYSQL_PORT
  value: {{ $mysql.port | quote }}
- name: MYSQL_USER
  value: {{ $mysql.user | quote }}
- name: MYSQL_DATABASE
  value: {{ $mysql.database | quote }}
{{- if $mysql.tls }}
- name: MYSQL_TLS
  value: "true"
- name: MYSQL_TLS_VERIFY
  value: {{ $mysql.tlsVerify | quote }}
{{- end }}
{{- if $redis.host }}
- name: REDIS_HOST
  value: {{ $redis.host | quote }}
- name: REDIS_PORT
  value: {{ $redis.port | quote }}
{{- end }}
- name: CACHE_TTL_SECONDS
  value: {{ .Values.api.cacheTtlSeconds | quote }}
- name: MIGRATE_ON_START
  value: {{ .Values.api.migrateOnStart | quote }}
{{- end -}}

{{/* The passwords and the MySQL CA certificate, as files (demo-lib.container's "secrets"). */}}
{{- define "users.secrets" -}}
{{- $mysql := include "users.mysql" . | fromYaml -}}
{{- $redis := include "users.redis" . | fromYaml -}}
{{- $secrets := list (dict "env" "MYSQL_PASSWORD" "secret" $mysql.secretName "key" $mysql.secretKey) -}}
{{- if $mysql.caSecretName -}}
{{- $secrets = append $secrets (dict "env" "MYSQL_TLS_CA" "secret" $mysql.caSecretName "key" $mysql.caSecretKey) -}}
{{- end -}}
{{- if and $redis.host $redis.secretName -}}
{{- $secrets = append $secrets (dict "env" "REDIS_PASSWORD" "secret" $redis.secretName "key" $redis.secretKey) -}}
{{- end -}}
{{- toYaml $secrets -}}
{{- end -}}

{{- define "users.testEnv" -}}
- name: CHECK_URL
  value: {{ include "users.apiUrl" . | quote }}
{{- end -}}

{{/*
The Redis sidecar: a cache private to the pod, on 127.0.0.1 only, nothing
written to disk. No readiness probe: the API serves (from MySQL) without it.
*/}}
{{- define "users.redisSidecar" -}}
{{- $s := .Values.redisSidecar -}}
- name: redis
  image: {{ include "demo-lib.imageRef" (dict "ctx" . "repository" $s.image.repository "tag" $s.image.tag "digest" $s.image.digest) | quote }}
  imagePullPolicy: {{ $s.image.pullPolicy }}
  command:
    - redis-server
  args:
    - --bind
    - 127.0.0.1
    - --port
    - "6379"
    - --dir
    - /data
    - --save
    - ""
    - --appendonly
    - "no"
    - --maxmemory
    - {{ $s.maxMemory | quote }}
    - --maxmemory-policy
    - allkeys-lru
  livenessProbe:
    exec:
      command:
        - redis-cli
        - -h
        - 127.0.0.1
        - ping
    periodSeconds: 10
    timeoutSeconds: 2
    failureThreshold: 3
  resources:
    {{- toYaml $s.resources | nindent 4 }}
  securityContext:
    {{- include "demo-lib.containerSecurityContext" . | nindent 4 }}
  volumeMounts:
    - name: redis-data
      mountPath: /data
{{- end -}}

{{/*
A checksum of where the credentials come from, so that API pods restart when
the wiring changes (the generated passwords themselves never change).
*/}}
{{- define "users.wiringChecksum" -}}
{{- printf "%s|%s" (include "users.mysql" .) (include "users.redis" .) | sha256sum | trunc 16 -}}
{{- end -}}
