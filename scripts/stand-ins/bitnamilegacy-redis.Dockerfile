# Stand-in for docker.io/bitnamilegacy/redis (the Bitnami redis chart's default image), built by
# scripts/stand-ins/push.sh (context: bitnamilegacy.sh redis): Debian trixie's redis-server and
# redis-tools 8.0.2 with bash, coreutils, mawk, grep and sed, unpacked by mmdebstrap
# (debian-rootfs.sh), and entrypoint scripts written for this project (bitnamilegacy/). uid 1001,
# the paths the chart mounts, the same ENTRYPOINT and CMD names as the real image.
FROM scratch
COPY rootfs/ /
COPY overlay/ /
COPY --chown=1001:1001 owned-app/ /opt/bitnami/redis/
COPY --chown=1001:1001 owned-volume/ /bitnami/
USER 1001
WORKDIR /
ENV PATH=/opt/bitnami/redis/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    BITNAMI_APP_NAME=redis
EXPOSE 6379
ENTRYPOINT ["/opt/bitnami/scripts/redis/entrypoint.sh"]
CMD ["/opt/bitnami/scripts/redis/run.sh"]
