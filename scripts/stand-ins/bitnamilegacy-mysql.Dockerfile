# Stand-in for docker.io/bitnamilegacy/mysql (the Bitnami mysql chart's default image), built by
# scripts/stand-ins/push.sh (context: bitnamilegacy.sh mysql): Debian sid's mysql-server 9.7 with
# bash, coreutils, mawk, grep, sed, gzip and findutils, unpacked by mmdebstrap
# (debian-rootfs.sh), and entrypoint scripts written for this project (bitnamilegacy/). uid 1001,
# the paths the chart mounts, the same ENTRYPOINT and CMD names as the real image.
FROM scratch
COPY rootfs/ /
COPY overlay/ /
COPY --chown=1001:1001 owned-app/ /opt/bitnami/mysql/
COPY --chown=1001:1001 owned-volume/ /bitnami/
USER 1001
WORKDIR /
ENV PATH=/opt/bitnami/mysql/bin:/opt/bitnami/mysql/sbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    BITNAMI_APP_NAME=mysql
EXPOSE 3306
ENTRYPOINT ["/opt/bitnami/scripts/mysql/entrypoint.sh"]
CMD ["/opt/bitnami/scripts/mysql/run.sh"]
