/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel console: whole lines, each prefixed with its source, written
 * to the platform console. Under the big kernel lock, so a line is never
 * interleaved with another.
 */
#include <stdarg.h>
#include <kernel/console.h>
#include <kernel/platform.h>
#include <kernel/printf.h>
#include <ward/syscall.h>

static void emit(const char *source, const char *text, size_t len)
{
	platform_console_putc('[');
	for (const char *s = source; *s != '\0'; s++)
		platform_console_putc(*s);
	platform_console_putc(']');
	platform_console_putc(' ');
	for (size_t i = 0; i < len; i++)
		platform_console_putc(text[i]);
	platform_console_putc('\r');
	platform_console_putc('\n');
}

void console_line_init(struct console_line *line, const char *source)
{
	size_t i = 0;

	for (; source[i] != '\0' && i + 1 < CONSOLE_SOURCE_MAX; i++)
		line->source[i] = source[i];
	line->source[i] = '\0';
	line->len = 0;
}

void console_line_flush(struct console_line *line)
{
	if (line->len == 0)
		return;
	emit(line->source, line->text, line->len);
	line->len = 0;
}

void console_line_write(struct console_line *line, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == '\n') {
			emit(line->source, line->text, line->len);
			line->len = 0;
			continue;
		}
		if (c == '\r')
			continue;
		/* Control bytes could forge output on the host terminal. */
		if ((unsigned char)c < 0x20 && c != '\t')
			c = '?';
		line->text[line->len++] = c;
		if (line->len == CONSOLE_LINE_MAX)
			console_line_flush(line);
	}
}

static struct console_line kernel_line = {"kernel", "", 0};

void kprintf(const char *fmt, ...)
{
	char buf[CONSOLE_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_line_write(&kernel_line, buf, (size_t)n);
	console_line_write(&kernel_line, "\n", 1);
}

void panic(const char *fmt, ...)
{
	char buf[CONSOLE_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kprintf("panic: %s", buf);
	platform_halt(WARD_HALT_KERNEL_PANIC);
}
