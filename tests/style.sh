#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Style gate: every C source and header is formatted with the repo's
# .clang-format and opens with an SPDX line. Prints TAP, one result per file.
# One clang-format process checks every file (a process per file took over
# half a minute on a busy machine); its diagnostics name the files to fix.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
unformatted=$(clang-format --dry-run --Werror "${files[@]}" 2>&1 |
	sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u)
no_spdx=$(awk 'FNR == 1 && !/SPDX-License-Identifier/ { print FILENAME }' "${files[@]}")
n=0
for f in "${files[@]}"; do
	n=$((n + 1))
	if printf '%s\n%s\n' "$unformatted" "$no_spdx" | grep -qxF -- "$f"; then
		echo "not ok $n - $f: run clang-format -i $f (and keep the SPDX line first)"
	else
		echo "ok $n - $f formatted, SPDX line present"
	fi
done
echo "1..$n"
