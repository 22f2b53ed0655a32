# Stand-in for gcr.io/distroless/base-nossl-debian13:nonroot (which this machine cannot pull),
# built by scripts/stand-ins/push.sh from Debian packages: glibc, ca-certificates, tzdata,
# netbase, passwd/group with nonroot 65532, /tmp, /home/nonroot. Same user, workdir and
# environment as the real image.
FROM scratch
ARG TARGETARCH
COPY rootfs-${TARGETARCH}/ /
COPY --chown=65532:65532 home/ /home/
USER 65532
WORKDIR /home/nonroot
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
