/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>

#define CONSOLE_LINE_MAX   160
#define CONSOLE_SOURCE_MAX 16

/*
 * A line under construction for one source (a thread, or the kernel).
 * Text is emitted only as whole lines, each prefixed "[source] ", so lines
 * of different sources never interleave mid-line.
 */
struct console_line {
	char source[CONSOLE_SOURCE_MAX];
	char text[CONSOLE_LINE_MAX];
	size_t len;
};

void console_line_init(struct console_line *line, const char *source);

/* Appends bytes; each '\n' (or a full buffer) emits the line. */
void console_line_write(struct console_line *line, const char *buf, size_t len);

/* Emits a pending partial line, if any. */
void console_line_flush(struct console_line *line);

#endif
