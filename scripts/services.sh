#!/usr/bin/env bash
# Install the system tools the tests and benchmarks use, when they are missing and apt can.
# Tests that need a tool that could not be installed skip with a reason; nothing is started here
# that the tests do not start themselves.
set -u
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
# the canary judge's tests start a real Prometheus (Debian package prometheus) on loopback
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
# the HTML report and the shadow proxy's live page are tested in headless Chromium
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "services: installing ${need[*]} from Debian's packages"
  (apt-get install -y -q "${need[@]}" >/dev/null 2>&1 ||
   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${need[@]}" >/dev/null 2>&1)) ||
    echo "services: could not install ${need[*]}; tests that need them will skip"
else
  echo "services: ${need[*]} missing and cannot be installed here; tests that need them will skip"
fi
exit 0
