#!/bin/sh
# The system (Debian) packages the test suite needs, installed when missing; README command 2 and
# .ci/run both call this script.  Safe to run again: it installs only what is missing.
#   chromium                         the browser the web desk's end-to-end tests drive (Playwright)
#   fonts-noto-cjk fonts-wqy-microhei fontconfig   CJK fonts (screenshots, OCR and PDF fixtures), found with fc-match
#   libgl1 libglib2.0-0              the GL/GLib libraries OpenCV loads for OCR
#   libreoffice-writer-nogui libreoffice-calc-nogui   legacy .doc/.wps, DOCX→PDF look checks
#   poppler-utils                    pdftoppm
# It also starts the local PostgreSQL server the corpus tests use, when one is installed and stopped.
# Exit status 0 when everything is there; 1, with one line saying what to install, when it cannot install.
set -eu

PACKAGES="chromium fonts-noto-cjk fonts-wqy-microhei fontconfig libgl1 libglib2.0-0 libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
else
  missing=" $PACKAGES"
fi

if [ -n "$missing" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "xxgk: 测试需要以下系统软件包（Debian/Ubuntu 包名），本机没有 apt-get，请用系统的包管理器安装：$missing" >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "xxgk: 测试需要以下系统软件包，安装需要 root 权限，请运行：sudo apt-get install -y$missing" >&2
    exit 1
  fi
  echo "xxgk: 安装系统软件包：$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq $missing >/dev/null
fi

# the PostgreSQL server the corpus tests use (trust auth, database `test`), when installed but stopped
if command -v pg_ctlcluster >/dev/null 2>&1 && command -v pg_isready >/dev/null 2>&1 \
   && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && [ -d /etc/postgresql ]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >/dev/null 2>&1 || true
fi
exit 0
