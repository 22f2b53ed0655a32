# Stand-in for oven/bun (Docker Hub), built by scripts/stand-ins/push.sh: Debian's bash, dash
# and coreutils with glibc, and the bun binary of the same version from the npm registry
# (@oven/bun-linux-x64) at /usr/local/bin/bun, as in the real image. linux/amd64 only:
# the Dockerfile runs its build stage on the build platform. Unlike the real image, it
# trusts this machine's CA bundle (its egress proxy), so `bun install` reaches npm.
FROM scratch
COPY rootfs-amd64/ /
WORKDIR /home/bun/app
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["/usr/local/bin/bun"]
