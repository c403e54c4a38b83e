# clew as a container image: the GitLab CI component's default image, and a
# way to run clew anywhere. Slim, non-root, git with safe.directory.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# git comes from Debian's security-maintained stable release; pinning its exact
# version would break the build at every point release.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends git \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'

WORKDIR /opt/clew
COPY pyproject.toml README.md LICENSE ./
COPY checker ./checker
COPY policies ./policies
RUN pip install --no-compile . \
 && groupadd --gid 10001 clew \
 && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin clew

USER 10001:10001
WORKDIR /workspace
CMD ["clew", "--help"]
