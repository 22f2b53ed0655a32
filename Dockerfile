# One image for every workload of the chart: the compiled `demo` binary on distroless.
# A local build for minikube or kind: see "On Kubernetes" in README.md; a release:
# scripts/release.sh (both platforms, pushed).

# The binary is cross-compiled on the build platform: no emulation for the arm64 image.
FROM --platform=$BUILDPLATFORM oven/bun:1.4.5 AS build
ARG TARGETARCH
WORKDIR /src
COPY package.json bun.lock ./
# Only the runtime dependencies: `bun build` needs no devDependency, and the npm `bun`
# package among them would shadow this image's bun with its uninstalled placeholder.
RUN bun install --frozen-lockfile --production --ignore-scripts
COPY tsconfig.json ./
COPY scripts/build.sh scripts/
COPY scripts/lib/common.sh scripts/lib/
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
