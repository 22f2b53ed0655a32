# Stand-in for oven/bun (Docker Hub), built by scripts/stand-ins/push.sh: Debian's bash, dash
# and coreutils with glibc, and the bun binary of the same version from the npm registry
# (@oven/bun-linux-x64) at /usr/local/bin/bun, as in the real image. linux/amd64 only:
# the Dockerfile runs its build stage on the build platform.
FROM scratch
COPY rootfs-amd64/ /
WORKDIR /home/bun/app
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["/usr/local/bin/bun"]
