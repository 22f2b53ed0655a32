# One image for every workload of the chart: the compiled `demo` binary on distroless.
# Build: docker buildx build --platform linux/amd64,linux/arm64 -t ghcr.io/example/demo:0.1.0 .

# The binary is cross-compiled on the build platform: no emulation for the arm64 image.
FROM --platform=$BUILDPLATFORM oven/bun:1.4.5 AS build
ARG TARGETARCH
WORKDIR /src
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile --ignore-scripts
COPY tsconfig.json ./
COPY scripts/build.sh scripts/
COPY src src
RUN bash scripts/build.sh "$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64)" \
 && mv dist/demo-linux-* /demo

# Bun needs glibc only: no shell, no package manager, nothing else in the final image.
FROM gcr.io/distroless/base-nossl-debian13:nonroot
COPY --from=build /demo /usr/local/bin/demo
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/demo"]
CMD ["--help"]
