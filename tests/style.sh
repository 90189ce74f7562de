#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Style gate: every C source and header is formatted with the repo's
# .clang-format and opens with an SPDX line. Prints TAP.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
n=0
for f in $files; do
	n=$((n + 1))
	if clang-format --dry-run --Werror "$f" >/dev/null 2>&1 && head -1 "$f" | grep -q 'SPDX-License-Identifier'; then
		echo "ok $n - $f formatted, SPDX line present"
	else
		echo "not ok $n - $f: run clang-format -i $f (and keep the SPDX line first)"
	fi
done
echo "1..$n"
