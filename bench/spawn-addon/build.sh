#!/bin/sh
# Builds the posix_spawn prototype of issue 18 into bench/spawn-addon/build/spawn.node
# for the Node that runs this script (headers from its installation). Run it by hand:
# nothing runs it at npm install or in npm test, and without it the addon's test skips.
#
#   sh bench/spawn-addon/build.sh
#
# A shipped package (an optional dependency, as ws uses bufferutil) would build the
# same spawn.c with node-gyp (a binding.gyp naming it) or ship prebuilt binaries; this
# is one gcc line so the prototype needs no dependency. Linux and glibc 2.32+ only
# (posix_spawn_file_actions_addchdir_np, POSIX_SPAWN_SETSID, sigabbrev_np).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
node=${NODE:-$(command -v node)}
include=$(dirname "$(readlink -f "$node")")/../include/node
if [ ! -f "$include/node_api.h" ]; then
  echo "build.sh: no node_api.h under $include" >&2
  exit 1
fi
mkdir -p "$here/build"
${CC:-gcc} -shared -fPIC -O2 -Wall -Wextra -Wno-unused-parameter -std=gnu11 \
  -DNAPI_VERSION=8 -I"$include" -o "$here/build/spawn.node" "$here/spawn.c"
echo "built $here/build/spawn.node"
