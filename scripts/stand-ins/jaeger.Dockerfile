# Stand-in for docker.io/jaegertracing/jaeger ($JAEGER_IMAGE in scripts/cluster/lib.sh), built by
# scripts/stand-ins/push.sh: the jaeger binary scripts/tools.sh built from the Go module proxy
# (static, CGO_ENABLED=0), where the real image has it, with the real image's environment, user
# and entrypoint. With no arguments it runs its built-in all-in-one configuration: OTLP on 4317
# and 4318, the query API and UI on 16686, traces in memory.
FROM scratch
COPY jaeger-linux /cmd/jaeger/jaeger-linux
ENV JAEGER_LISTEN_HOST=0.0.0.0
EXPOSE 4317 4318 16686 13133
USER 10001
ENTRYPOINT ["/cmd/jaeger/jaeger-linux"]
